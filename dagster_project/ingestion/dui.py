"""DUI exports of ESMS (monthly) and the ARS reference files of the ESMS Numérique programme."""
from .assets import table_asset

assets = [
    table_asset(n)
    for n in ("dui_dossiers", "dui_evenements", "dui_projets", "dui_agenda", "esms_file_active", "esms_projets")
]
