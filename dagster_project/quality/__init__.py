"""Quality gate: Great Expectations suites (``expectations/``, see ``suites.py``) run as blocking Dagster asset checks."""
