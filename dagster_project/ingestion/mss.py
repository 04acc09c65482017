"""MSSanté: operator message log (monthly) and the public directory extraction (snapshots, `|`)."""
from .assets import source_assets

assets = [source_assets(["mss_messages", "annuaire_mssante"], name="mss_extracts")]
