"""DMP: documents registered in patients' DMP (XDS metadata), monthly."""
from .assets import table_asset

assets = [table_asset("dmp_documents")]
