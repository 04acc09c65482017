"""Declarative E-parcours indicators (1.1, 1.2, 2.1, 2.2, 3.1, 4.1, 5.1, 6.6) with their evidence."""
from .assets import source_assets

assets = [source_assets(["declaratif"], name="declaratif_extracts")]
