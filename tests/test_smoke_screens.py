"""The smoke driver `.ci/smoke_install` runs in a clean venv, run here on the test install: a
screen that no longer opens (or a driver that no longer fits the screens) shows in the suite."""

import subprocess
import sys
from pathlib import Path

DRIVER = Path(__file__).resolve().parent / "smoke_screens.py"


def test_every_screen_opens_as_the_first_command_starts_the_desk(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(DRIVER)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-5000:]
    assert "smoke: every screen opened" in result.stdout
    assert "live feed" in result.stdout and "ok wallboard panes" in result.stdout
