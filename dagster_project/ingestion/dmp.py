"""DMP: documents registered in patients' DMP (XDS metadata), monthly."""
from .assets import source_assets

assets = [source_assets(["dmp_documents"], name="dmp_extracts")]
