"""Jobs, schedules and sensors: when and what the Dagster daemon runs (assembled in ``definitions.py``)."""
