"""DUI exports of ESMS (monthly) and the ARS reference files of the ESMS Numérique programme."""
from .assets import source_assets

assets = [source_assets(["dui_dossiers", "dui_evenements", "dui_projets", "dui_agenda", "esms_file_active",
                         "esms_projets"], name="dui_extracts")]
