"""The wheel carries both packages, the default keymap, the demo data and the migrations, so
`pip install .` works outside the repository."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_contents(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("orderdesk-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    expected = {
        "orderdesk_tui/cli.py",
        "orderdesk_tui/app.py",
        "orderdesk_tui/app.tcss",
        "orderdesk_tui/migrations/env.py",
        "orderdesk_tui/migrations/versions/0002_search_indexes.py",
        "orderdesk_tui/_bundled/bindings.toml",
        "screens/order_list.py",
        "screens/order_list.tcss",
        "screens/dialogs.tcss",
    }
    assert expected <= names, sorted(expected - names)
    demo = {n for n in names if n.startswith("orderdesk_tui/_bundled/data/demo/")}
    assert any(n.endswith("customers.csv") for n in demo), sorted(demo)
    assert any(n.endswith("items.csv") for n in demo), sorted(demo)
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert (
        "orderdesk = orderdesk_tui.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()
    )
    assert not any("tests/" in n or n.endswith(".sqlite3") for n in names)
