"""Ingestion of the regional extracts into schema ``raw`` (one module per source, one asset per table, one step per source)."""

from . import coordination, declaratif, dmp, dui, finess, mss, ror

ingestion_assets = [
    *finess.assets, *ror.assets, *mss.assets, *dmp.assets, *dui.assets, *coordination.assets, *declaratif.assets,
]
