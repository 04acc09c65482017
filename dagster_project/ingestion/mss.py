"""MSSanté: operator message log (monthly) and the public directory extraction (snapshots, `|`)."""
from .assets import table_asset

assets = [table_asset(n) for n in ("mss_messages", "annuaire_mssante")]
