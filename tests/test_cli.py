"""The command line's contract with the person running it: exit codes and one-sentence errors."""
from importlib.metadata import version

import pytest

from dagster_project.cli import EXIT_USAGE, main


def test_missing_landing_folder_is_a_usage_error(tmp_path, capsys):
    assert main(["run", "--landing", str(tmp_path / "nope"), "--home", str(tmp_path)]) == EXIT_USAGE
    err = capsys.readouterr().err
    assert "landing folder" in err and "does not exist" in err and "Traceback" not in err


def test_landing_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    f = tmp_path / "landing.csv"
    f.write_text("x")
    assert main(["run", "--landing", str(f), "--home", str(tmp_path)]) == EXIT_USAGE
    assert "is not a folder" in capsys.readouterr().err


def test_bad_date_option_is_a_usage_error(tmp_path, capsys):
    try:
        main(["run", "--landing", str(tmp_path), "--through", "31/12/2024"])
    except SystemExit as e:
        assert e.code == EXIT_USAGE
    assert "is not a date YYYY-MM-DD" in capsys.readouterr().err


def test_generate_rejects_end_before_start(tmp_path, capsys):
    rc = main(["generate", "--out", str(tmp_path / "x"), "--start", "2024-01-01", "--end", "2023-01-01"])
    assert rc == EXIT_USAGE
    assert "before --start" in capsys.readouterr().err


def test_version_is_the_installed_package_version(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0
    assert capsys.readouterr().out.strip() == f"eparcours {version('eparcours-warehouse')}"
