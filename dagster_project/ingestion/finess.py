"""FINESS: the etalab stock file (structures + geolocation, one file, two tables) and authorisations."""
from .assets import multi_table_asset, table_asset

assets = [
    multi_table_asset(["finess_structures", "finess_geolocalisation"], name="finess_etalab_stock"),
    table_asset("finess_autorisations"),
]
