"""The revision list the store reads at start-up (without Alembic) matches the scripts."""

from alembic.script import ScriptDirectory

from orderdesk_tui.migrations import HEAD, REVISIONS
from orderdesk_tui.store import Store


def test_revisions_constant_matches_migration_scripts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    store = Store(f"sqlite:///{tmp_path / 's.sqlite3'}")
    script = ScriptDirectory.from_config(store.alembic_config())
    oldest_first = [rev.revision for rev in reversed(list(script.walk_revisions()))]
    assert tuple(oldest_first) == REVISIONS
    assert script.get_current_head() == HEAD
