"""The one Dagster instance: every run — from the command line, the schedules, the sensor or the UI — is recorded
in the instance of ``<home>/dagster`` (``DAGSTER_HOME`` when it is set), which ``make dev`` serves.

The command line runs the jobs of ``orchestration/jobs.py`` in its own process (the in-process executor, as every
job of the code location does) against this instance: the UI lists those runs with their materializations, check
results and logs, and the pool ``duckdb_writer`` of ``dagster.yaml`` makes a command-line run and a UI run take
turns on the warehouse.

A command-line run that is killed (``kill -9``, a closed terminal) leaves its run "started" and its pool slot
claimed; the daemon of ``make dev`` frees such slots, but a machine without a daemon would wait forever. So before
it starts, the command line marks as failed its own earlier runs whose process is gone (run tags
``eparcours/pid`` and ``eparcours/host``) and frees their slots.
"""
from __future__ import annotations

import filecmp
import os
import shutil
import socket
from pathlib import Path

import dagster as dg

from ..settings import REPO_ROOT, Paths

INSTANCE_CONFIG = REPO_ROOT / "dagster.yaml"
PID_TAG = "eparcours/pid"
HOST_TAG = "eparcours/host"
LAUNCHED_BY_TAG = "eparcours/launched_by"


def dagster_home(paths: Paths) -> Path:
    """``DAGSTER_HOME`` when it is set (an operator's deployment), else ``<home>/dagster``."""
    env = os.environ.get("DAGSTER_HOME")
    return Path(env).resolve() if env else paths.home / "dagster"


def open_instance(paths: Paths) -> dg.DagsterInstance:
    """The persistent instance of this home, its ``dagster.yaml`` the repository's (copied when the home is ours;
    an operator's ``DAGSTER_HOME`` keeps its own file, given the repository's only when it has none)."""
    home = dagster_home(paths)
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists() or (not os.environ.get("DAGSTER_HOME")
                               and not filecmp.cmp(INSTANCE_CONFIG, config, shallow=False)):
        shutil.copyfile(INSTANCE_CONFIG, config)
    instance = dg.DagsterInstance.from_config(str(home))
    release_dead_runs(instance)
    return instance


def command_line_tags() -> dict[str, str]:
    """Tags of a command-line run: who launched it, and the process that runs it (see ``release_dead_runs``)."""
    return {LAUNCHED_BY_TAG: "command line", PID_TAG: str(os.getpid()), HOST_TAG: socket.gethostname()}


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        return True
    return True


def release_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Mark as failed the unfinished command-line runs of this machine whose process is gone, and free their pool
    slots; returns their run ids."""
    unfinished = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED],
        tags={LAUNCHED_BY_TAG: "command line", HOST_TAG: socket.gethostname()}))
    released = []
    for run in unfinished:
        pid = run.tags.get(PID_TAG, "")
        if not pid.isdigit() or _alive(int(pid)) and int(pid) != os.getpid():
            continue
        instance.report_run_failed(run, f"the command-line process (PID {pid}) ended before the run finished "
                                        "(killed or interrupted); marked failed by the next command-line run")
        instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
        released.append(run.run_id)
    return released
