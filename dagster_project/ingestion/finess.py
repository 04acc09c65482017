"""FINESS: the etalab stock file (structures + geolocation, one file, two tables) and authorisations."""
from .assets import source_assets

assets = [
    source_assets(["finess_structures", "finess_geolocalisation"], name="finess_etalab_stock", can_subset=False),
    source_assets(["finess_autorisations"], name="finess_autorisations_extracts"),
]
