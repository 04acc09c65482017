"""Regional coordination tool (DAC and CPTS): structures, dossiers, events, teams, messages, members."""
from .assets import source_assets

assets = [source_assets(["coord_structures", "coord_dossiers", "coord_evenements", "coord_equipe", "coord_messages",
                         "cpts_membres"], name="coordination_extracts")]
