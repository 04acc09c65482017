"""ROR: regional snapshots of entités géographiques, unités élémentaires, their activités and contacts."""
from .assets import table_asset

assets = [table_asset(n) for n in ("ror_eg", "ror_ue", "ror_ue_activite", "ror_ue_contact")]
