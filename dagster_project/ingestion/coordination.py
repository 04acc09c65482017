"""Regional coordination tool (DAC and CPTS): structures, dossiers, events, teams, messages, members."""
from .assets import table_asset

assets = [
    table_asset(n)
    for n in ("coord_structures", "coord_dossiers", "coord_evenements", "coord_equipe", "coord_messages",
              "cpts_membres")
]
