"""Quality gate: Great Expectations suites (``expectations/*.json``) run as blocking Dagster asset checks."""
