"""The code stays ruff-clean and keeps its layers (import-linter contracts in pyproject.toml)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_ruff_clean() -> None:
    result = subprocess.run(
        [str(BIN / "ruff"), "check", "--no-cache", "--output-format", "concise", "."],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_strict_clean() -> None:
    """`[tool.mypy]` in pyproject.toml: strict over orderdesk_tui/ and screens/ (its cache in
    .cache/mypy, which git ignores; a fresh clone checks everything, ~15 s)."""
    result = subprocess.run(
        [str(BIN / "mypy"), "--cache-dir", str(ROOT / ".cache" / "mypy")],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_import_contracts_hold() -> None:
    result = subprocess.run([str(BIN / "lint-imports")], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


HEADLESS = [
    "orderdesk_tui.cli",
    "orderdesk_tui.cli_args",
    "orderdesk_tui.masking",
    "orderdesk_tui.logfile",
    "orderdesk_tui.wallboard_serve",
    "orderdesk_tui.config",
    "orderdesk_tui.keymap.loading",
    "orderdesk_tui.store",
    "orderdesk_tui.models",
    "orderdesk_tui.services.order_queries",
    "orderdesk_tui.services.order_actions",
    "orderdesk_tui.services.erp_retry",
    "orderdesk_tui.sync_cli",
    "orderdesk_tui.services.users",
    "orderdesk_tui.doctor",
    "orderdesk_tui.startup",
    "orderdesk_tui.documents.acknowledgement",
    "orderdesk_tui.services.pricing",
    "orderdesk_tui.services.availability",
    "orderdesk_tui.services.allocation",
    "orderdesk_tui.services.credit",
    "orderdesk_tui.services.compliance",
    "orderdesk_tui.services.returns",
    "orderdesk_tui.services.rma_request",
    "orderdesk_tui.services.rma_detail",
    "orderdesk_tui.services.returnable",
    "orderdesk_tui.services.rma_settlement",
    "orderdesk_tui.services.rma_queries",
    "orderdesk_tui.documents.rma",
    "orderdesk_tui.reports.returns",
]


def test_headless_modules_do_not_load_textual() -> None:
    """Nothing below the screens imports Textual (STYLE.md); checked in a clean interpreter."""
    code = (
        "import importlib, sys\n"
        f"for name in {HEADLESS!r}:\n"
        "    importlib.import_module(name)\n"
        "loaded = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "", f"textual loaded by a headless module: {result.stdout}"
