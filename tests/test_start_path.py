"""The TUI's start path stays light: what the first screen does not need is imported when it is
first used (cold start to first paint, bench/cold_start.py), and the garbage collector paused
for the start is running again once the app is up."""

import gc
import subprocess
import sys

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store

#: What `orderdesk` imports before its first paint (orderdesk_tui/cli.py `_cmd_tui`).
START_PATH = [
    "orderdesk_tui.cli",
    "orderdesk_tui.startup",
    "orderdesk_tui.signin",
    "orderdesk_tui.app",
]

#: Kept off it: the schema migrations, PDF documents, the ERP connector and its sync, seeding,
#: reports, the SLA calendar and the queue, order entry with pricing, availability and
#: screening, the wallboard server, and the PostgreSQL driver.
HEAVY = [
    "alembic",
    "fpdf",
    "fontTools",
    "httpx",
    "holidays",
    "psycopg",
    "textual_serve",
    "orderdesk_tui.documents",
    "orderdesk_tui.erp.factory",
    "orderdesk_tui.erp.sync",
    "orderdesk_tui.erp.tryton",
    "orderdesk_tui.seed",
    "orderdesk_tui.reports",
    "orderdesk_tui.domain.sla",
    "orderdesk_tui.services.queue",
    "orderdesk_tui.services.pricing",
    "orderdesk_tui.services.availability",
    "orderdesk_tui.services.compliance",
    "screens.order_entry",
    "screens.queue",
]


def test_start_path_leaves_heavy_modules_unimported() -> None:
    code = (
        "import importlib, sys\n"
        f"for name in {START_PATH!r}:\n"
        "    importlib.import_module(name)\n"
        f"heavy = {HEAVY!r}\n"
        "loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.')"
        " for h in heavy))\n"
        "print(','.join(loaded))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def test_the_program_pauses_the_collector_until_main_decides() -> None:
    code = (
        "import gc, sys\n"
        "sys.argv[0] = '/usr/local/bin/orderdesk'  # as the console script runs it\n"
        "import orderdesk_tui.cli as cli\n"
        "paused = not gc.isenabled()\n"
        "try:\n"
        "    cli.main(['--version'])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(paused, gc.isenabled(), file=sys.stderr)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stderr.strip().splitlines()[-1] == "True True"


def test_importing_the_command_line_leaves_the_collector_alone() -> None:
    code = "import gc\nimport orderdesk_tui.cli\nprint(gc.isenabled())\n"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"


async def test_app_resumes_the_collector_once_ready(sqlite_store: Store) -> None:
    app = OrderDeskApp(
        store=sqlite_store, settings=Settings(), user=ensure_user(sqlite_store, "alice")
    )
    gc.disable()  # as the command line leaves it
    try:
        async with app.run_test() as pilot:
            await pilot.pause()
            assert gc.isenabled()
    finally:
        gc.enable()
        gc.unfreeze()
