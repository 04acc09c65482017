"""Synthetic regional extracts: realistic landing files for every table of the landing contract.

``generate(out, scale="tiny"|"region"|"national", seed=42, ...)`` writes ``<out>/<source>/<file>`` exactly
as ``docs/landing.md`` describes, with a small documented set of injected defects, and a
report in ``<out>/.synthetic/report.json``. See ``docs/synthetic.md``.
"""
from .generator import GenerationReport, generate
from .universe import SCALES

__all__ = ["SCALES", "GenerationReport", "generate"]
