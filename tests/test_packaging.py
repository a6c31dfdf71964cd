"""The wheel carries both packages, the default keymap, the demo data, the migrations and the
documents' fonts with their licences, so `pip install .` works outside the repository."""

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
#: What `orderdesk_tui.documents.pdf` loads, and the licences that must travel with the fonts.
FONT_FILES = (
    "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf",
    "LICENSE-DejaVu.txt",
    "NotoSansCJKjp-Regular-subset.otf",
    "OFL-NotoSansCJK.txt",
)


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
        *(f"orderdesk_tui/documents/fonts/{name}" for name in FONT_FILES),
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


def test_the_pdf_fonts_it_loads_are_the_ones_shipped() -> None:
    from orderdesk_tui.documents import pdf

    loaded = {file for _, _, file in pdf.FONT_FILES}
    assert loaded <= set(FONT_FILES)
    assert all((pdf.FONTS_DIR / file).is_file() for file in FONT_FILES)
