"""ROR: regional snapshots of entités géographiques, unités élémentaires, their activités and contacts."""
from .assets import source_assets

assets = [source_assets(["ror_eg", "ror_ue", "ror_ue_activite", "ror_ue_contact"], name="ror_extracts")]
