"""Opening the store a command works on: resolve, create or upgrade, first-run demo data.

Shared by the TUI and the CLI so that every command treats a store the same way.
"""

from dataclasses import dataclass

from orderdesk_tui.config import Settings
from orderdesk_tui.paths import default_store_path
from orderdesk_tui.store import Store, open_store


@dataclass
class OpenedStore:
    store: Store
    #: Human-readable things that happened while opening ("upgraded from 0001 to 0002").
    events: list[str]


def store_target(cli_db: str | None, settings: Settings) -> str | None:
    """`--db` wins over ORDERDESK_DB / config `store.url`; None means the default file."""
    return cli_db or settings.store.url or None


def open_for_use(
    cli_db: str | None, settings: Settings, *, demo_on_first_run: bool, create: bool = False
) -> OpenedStore:
    """Open the store, creating or upgrading its schema; load the demo on a brand-new default.

    A store file that does not exist is created only for the default store or with `create`
    (`db upgrade`, `seed`, `--create`): a mistyped `--db` must not make a new empty store.
    Raises StoreError with one line for: a missing or uncreatable path, a schema newer than
    this code, a server that refuses.
    """
    target = store_target(cli_db, settings)
    first_run = target is None and not default_store_path().exists()
    # the replicas are the configured store's: not those of another one named by --db
    replicas = settings.store.read_url if cli_db in {None, settings.store.url} else []
    store = open_store(
        target,
        busy_timeout_s=settings.store.busy_timeout_s,
        create=create or target is None,
        read_urls=replicas,
    )
    events: list[str] = []
    before, after = store.upgrade()
    if before is None:
        events.append(f"created store schema {after} in {store.display_url}")
    elif before != after:
        events.append(f"upgraded store schema from {before} to {after}")
    if first_run and demo_on_first_run:
        from orderdesk_tui.seed.demo import load_demo

        summary = load_demo(store)
        store.ensure_statistics()
        events.append(f"loaded the bundled demo data ({summary})")
    return OpenedStore(store, events)
