"""The README's first command installs no extras, so no psycopg: every module of the desk must
import without it (the queue crashed on Ctrl+T when services.live imported it at import time),
and a PostgreSQL store says in one line what to install. The test environment has psycopg, so
these run in a subprocess where importing it fails as it does when it is not installed."""

import subprocess
import sys
import textwrap

BLOCK_PSYCOPG = """\
import sys

class _NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("psycopg", "psycopg_binary", "psycopg_c", "psycopg2"):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NotInstalled())
"""


def run_without_psycopg(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", BLOCK_PSYCOPG + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_module_imports_without_psycopg() -> None:
    result = run_without_psycopg(
        """
        import importlib, pkgutil
        import orderdesk_tui, screens

        failed = []
        for package in (orderdesk_tui, screens):
            for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
                if module.name == "orderdesk_tui.migrations.env":
                    continue  # run by alembic inside a migration, not imported
                try:
                    importlib.import_module(module.name)
                except Exception as exc:
                    failed.append(f"{module.name}: {type(exc).__name__}: {exc}")
        print("\\n".join(failed))
        """
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ""


def test_postgresql_store_without_psycopg_says_what_to_install() -> None:
    result = run_without_psycopg(
        """
        from orderdesk_tui.cli import main

        sys.exit(main(["--db", "postgresql://postgres@127.0.0.1:5432/orderdesk", "doctor"]))
        """
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr + result.stdout
    [store_line] = [line for line in result.stdout.splitlines() if " store " in line]
    assert store_line.startswith("FAIL store")
    assert "pip install 'orderdesk[postgres]'" in store_line


def test_postgresql_desk_without_psycopg_is_one_line() -> None:
    result = run_without_psycopg(
        """
        from orderdesk_tui.cli import main

        sys.exit(main(["--db", "postgresql://postgres@127.0.0.1:5432/orderdesk"]))
        """
    )
    assert result.returncode != 0
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("orderdesk: store URL 'postgresql+psycopg://postgres@127.0.0.1")
    assert line.endswith("needs the Python package 'psycopg' (pip install 'orderdesk[postgres]')")
