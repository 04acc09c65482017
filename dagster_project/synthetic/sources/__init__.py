"""One module per landing source: each function draws one landing file (a month or a snapshot date)."""
