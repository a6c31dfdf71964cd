"""OrderDeskApp: the shell every screen lives in.

F-key legend (Footer) and status bar are always visible; the command palette reaches every
action in force on the current screen; keys come from bindings.toml by id, with the user's
overrides validated before they are applied.
"""

import asyncio
import gc
import sys
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING

from textual import events, work
from textual.actions import ActionParseResult, parse
from textual.app import SystemCommand
from textual.dom import DOMNode
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.worker import NoActiveWorker, Worker, WorkerFailed, get_current_worker

from orderdesk_tui.config import Settings
from orderdesk_tui.keymap.loading import Keymap, load_keymap
from orderdesk_tui.logfile import LOGGER
from orderdesk_tui.models import User
from orderdesk_tui.paths import bundled, config_dir
from orderdesk_tui.services.desk import Desk
from orderdesk_tui.services.failures import refused_text
from orderdesk_tui.services.outbox import pending_count
from orderdesk_tui.store import Store
from screens.crash_log import LoggedCrashApp
from screens.failures import action_label, quiet_failure, report_failure, report_worker
from screens.help import HelpScreen
from screens.keys import bind
from screens.order_list import OrderListScreen
from screens.palette import PROVIDERS
from screens.theme import ThemeSaver, start_theme
from screens.widgets.status_bar import DeskStatus

if TYPE_CHECKING:
    from orderdesk_tui.erp.sync.status import SyncStatus
    from orderdesk_tui.services.queue import QueueReader
    from screens.queue import QueueScreen

#: Seconds between reads of the outbox count for the status bar.
OUTBOX_POLL_S = 5.0


class OrderDeskApp(LoggedCrashApp[int]):
    TITLE = "orderdesk"
    CSS_PATH = "app.tcss"
    ENABLE_COMMAND_PALETTE = True
    #: Besides every action in force (get_system_commands): orders, customers and RMAs by
    #: number or name (screens/palette.py).
    COMMANDS = LoggedCrashApp.COMMANDS | set(PROVIDERS)
    BINDINGS = [
        bind("app.quit", "quit", "Quit", priority=True),
        bind("app.palette", "command_palette", "Commands", show=False, priority=True),
        bind("app.help", "help", "Help"),
        bind("app.orders", "orders", "Orders"),
        bind("app.new_order", "new_order", "New order"),
        bind("app.rma", "rmas", "Returns"),
        bind("app.queue", "queue", "Queue"),
        bind("app.customers", "customers", "Customers"),
        bind("app.note", "quick_note", "Quick note"),
        # in F1 and the palette, not the legend (every screen's legend would grow by one)
        bind("app.reports", "reports", "Reports", show=False),
        bind("app.purchase_orders", "purchase_orders", "Purchase orders", show=False),
    ]

    def __init__(
        self,
        *,
        store: Store,
        settings: Settings,
        user: User,
        notices: Iterable[str] = (),
        keymap: Keymap | None = None,
    ) -> None:
        self._started = time.perf_counter()
        super().__init__()
        self._theme_problem = start_theme(self, settings.desk.theme)
        self.desk = Desk(store=store, settings=settings, user=user)
        self.keymap = keymap or load_keymap(
            bundled("bindings.toml"), config_dir() / "bindings.toml"
        )
        self.status = DeskStatus(
            user=user.name,
            role=user.role,
            store=store.display_url,
            erp_state="idle" if settings.erp.configured else "not configured",
            read_note=lambda: store.read_note,
        )
        self._notices = list(notices)
        self._sync_stop = threading.Event()
        #: Made after the first paint (read_queue_ahead) or at the first Ctrl+T, and kept for
        #: the app's life, so that opening the queue rebuilds only what changed (not made
        #: before the first paint: it imports the SLA calendar). The queue screen, once made,
        #: is kept too: reopening it does not compose and lay it out again.
        self._queue_reader: QueueReader | None = None
        self._queue_screen: QueueScreen | None = None
        self.started_ms: float | None = None

    def on_mount(self) -> None:
        self.set_keymap(self.keymap.overrides)
        self.theme_saver = ThemeSaver(self, saved=self.desk.settings.desk.theme)
        self.push_screen(OrderListScreen(self.desk, self.status))
        start = self.desk.settings.desk.start_screen
        if start == "entry":
            self.action_new_order()
        elif start == "queue":
            self.action_queue()
        for notice in self._notices:
            self.notify(notice, timeout=8)
        if self._theme_problem:
            self.notify(self._theme_problem, severity="warning", timeout=15)
        for problem in self.keymap.problems:
            self.notify(
                str(problem),
                severity="error" if problem.severity == "error" else "warning",
                timeout=15,
            )
        self.refresh_outbox()
        self.set_interval(OUTBOX_POLL_S, self.refresh_outbox)
        if self.desk.settings.erp.configured:
            self.set_timer(1.0, self.sync_with_erp)  # after the first paint
        if self.desk.settings.mail.configured:
            self.set_timer(1.0, self.send_mail)

    def on_ready(self) -> None:
        # Everything loaded so far lives as long as the app: keep it out of the collector's
        # full passes, which otherwise stall typing for 100+ ms (bench/entry_latency.py). The
        # command line paused the collector for the start (orderdesk_tui/cli.py): resumed here.
        gc.freeze()
        gc.enable()
        # Worker threads (prices, availability, lookups, the ERP sync) keep the interpreter
        # for up to this long before the UI thread gets it back: 1 ms, not 5, so a key's frame
        # does not queue behind them.
        sys.setswitchinterval(0.001)
        self.started_ms = (time.perf_counter() - self._started) * 1000
        self.read_queue_ahead()
        self.log.info(f"orderdesk started in {self.started_ms:.0f} ms")

    @work(thread=True, exclusive=True, group="outbox-count")
    def refresh_outbox(self) -> None:
        try:
            count = pending_count(self.desk.store)
        except Exception:  # the status bar must never take the app down; shown as unknown
            count = -1
        self.call_from_thread(self._set_outbox, count)

    @work(thread=True, exclusive=True, group="erp-sync", exit_on_error=False)
    def sync_with_erp(self) -> None:
        """The sync engine on its own thread and event loop (ERP answers are parsed there, not
        on the UI loop); the status bar shows its state and the outbox. The desk never waits
        on it: orders are written locally and wait in the outbox."""
        from orderdesk_tui.erp.connector import ErpError
        from orderdesk_tui.erp.factory import connector_from_settings, engine_from_settings

        def show(status: "SyncStatus") -> None:
            self.status.erp_state = status.erp_state or "idle"
            self.status.outbox = status.pending

        async def main() -> None:
            connector = connector_from_settings(self.desk.settings)
            if connector is None:
                return
            engine = engine_from_settings(self.desk.store, self.desk.settings, connector)
            try:
                await engine.run(self._sync_stop, on_cycle=show)
            finally:
                await connector.aclose()

        try:
            asyncio.run(main())
        except (ErpError, ValueError) as exc:
            self.status.erp_state = "error"
            self.call_from_thread(self.notify, f"ERP: {exc}", severity="error")

    @work(thread=True, exclusive=True, group="mail-send", exit_on_error=False)
    def send_mail(self) -> None:
        """The mail sender (services.mail_sender) on its own thread until the app closes: the
        desk never waits on the SMTP server; mails wait in the mail outbox."""
        from orderdesk_tui.services.mail_sender import MailSender

        MailSender(self.desk.store, self.desk.settings.mail).run(self._sync_stop)

    def on_unmount(self) -> None:
        self._sync_stop.set()

    def _set_outbox(self, count: int) -> None:
        self.status.outbox = count if count >= 0 else None

    def get_system_commands(self, screen: Screen[object]) -> Iterable[SystemCommand]:
        """Every described binding in force on `screen`, then Textual's own commands."""
        seen: set[str] = set()
        for active in screen.active_bindings.values():
            binding = active.binding
            ident = binding.id or binding.action
            if not binding.description or ident in seen or binding.action == "command_palette":
                continue
            seen.add(ident)
            node, action = active.node, binding.action
            yield SystemCommand(
                binding.description,
                f"{self.get_key_display(binding)}  ·  {ident}",
                lambda node=node, action=action: self.run_action(action, node),
            )
        yield from super().get_system_commands(screen)

    async def on_event(self, event: events.Event) -> None:
        """Keys for an entry screen go to it at once, in order (see screens/order_entry.py).

        A paste holding a NUL or a lone surrogate is refused here, for every field (such keys
        are not printable, so no field takes them)."""
        if isinstance(event, events.Key | events.Paste) and not event.is_forwarded:
            refused = refused_text(event.text) if isinstance(event, events.Paste) else None
            if refused is not None:
                self.bell()
                self.notify(f"paste refused: {refused}; nothing was pasted", severity="warning")
                return
            take = getattr(self.screen, "type_ahead_key", None)
            if take is not None and self._take_ahead(take, event):
                return
        await super().on_event(event)

    # -- nothing closes the desk (screens/failures.py) -----------------------------------------

    async def run_action(
        self,
        action: "str | ActionParseResult",
        default_namespace: DOMNode | None = None,
        namespaces: Mapping[str, DOMNode] | None = None,
    ) -> bool:
        """Every action (keys, palette, clicks) comes through here: one that raises is
        reported in one line, and the screen stays as it was."""
        try:
            return await super().run_action(action, default_namespace, namespaces)
        except Exception as error:
            name = (parse(action) if isinstance(action, str) else action)[1]
            report_failure(self, action_label(name), error, default_namespace)
            return True

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = quiet_failure(event)
        if worker is not None:
            report_worker(self, worker)

    def _handle_exception(self, error: Exception) -> None:
        # Textual calls this for a worker started with exit_on_error=True (its default), from
        # the worker's own task, and exits: report it instead. Any other error stopped a
        # message loop, so the app cannot go on: it is logged and the app exits (crash_log).
        if isinstance(error, WorkerFailed):
            try:
                report_worker(self, get_current_worker())
            except NoActiveWorker:
                report_failure(self, "a background task", error.error)
            return
        super()._handle_exception(error)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Notices carry user and store text: never parsed as markup (`[/]` is shown as is)."""
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=False)

    def _take_ahead(
        self, take: "Callable[[events.Key | events.Paste], bool]", event: events.Key | events.Paste
    ) -> bool:
        """The entry screen applies the key; one that raises is reported, not fatal (the
        app's own message loop runs it: Textual would exit)."""
        try:
            return take(event)
        except Exception as error:
            report_failure(self, "typing", error, self.screen)
            return True

    def action_new_order(self) -> None:
        """A new order at once; its screen lists this coordinator's open drafts (F5 resumes)."""
        from screens.order_entry import OrderEntryScreen

        current = self.screen
        if isinstance(current, OrderEntryScreen) and current.draft.id is None:
            return  # already on a new, untouched order
        self.push_screen(OrderEntryScreen(self.desk, self.status))

    def action_rmas(self) -> None:
        """The RMA list (returns and warranty claims), once on the stack."""
        from screens.rma_list import RmaListScreen

        if not isinstance(self.screen, RmaListScreen):
            self.push_screen(RmaListScreen(self.desk, self.status))

    def action_reports(self) -> None:
        """The reports screen: brought forward if it is open under this screen, else opened."""
        from screens.reports import ReportsScreen

        for index, screen in enumerate(self.screen_stack):
            if isinstance(screen, ReportsScreen):
                while len(self.screen_stack) > index + 1:
                    self.pop_screen()
                return
        self.push_screen(ReportsScreen(self.desk, self.status))

    def action_purchase_orders(self) -> None:
        """The purchase orders (special buys, drop ships, replenishment), once on the stack."""
        from screens.purchase_orders import PurchaseOrdersScreen

        if not isinstance(self.screen, PurchaseOrdersScreen):
            self.push_screen(PurchaseOrdersScreen(self.desk, self.status))

    def action_customers(self) -> None:
        """The customer lookup (one field for code, name, phone, PO, order number ...)."""
        from screens.customer_lookup import CustomerLookupScreen

        if isinstance(self.screen, CustomerLookupScreen):
            self.screen.action_focus_find()
            return
        self.push_screen(CustomerLookupScreen(self.desk, self.status))

    def action_quick_note(self) -> None:
        """A note against the order or customer on screen, or one the user names."""
        from screens.notes import ask_note, pick_note_target

        screen = self.screen
        target = getattr(screen, "note_target", None)

        def ask(found: tuple[str, int | None, int | None]) -> None:
            subject, order_id, customer_id = found
            reload = getattr(screen, "reload", None)
            ask_note(screen, subject, order_id=order_id, customer_id=customer_id, then=reload)

        found = target() if target is not None else None
        if found is not None:
            ask(found)
        else:
            pick_note_target(screen, ask)

    def action_help(self) -> None:
        self.push_screen(HelpScreen(self.screen))

    def action_queue(self) -> None:
        """The work queue: brought forward if it is open under this screen, else opened."""
        from screens.queue import QueueScreen

        if isinstance(self.screen, QueueScreen):
            return
        for index, screen in enumerate(self.screen_stack):
            if isinstance(screen, QueueScreen):
                while len(self.screen_stack) > index + 1:
                    self.pop_screen()
                return
        if self._queue_screen is None:
            self._queue_screen = QueueScreen(self.desk, self.status, self._ensure_queue_reader())
            self.install_screen(self._queue_screen, "queue")  # kept when closed
        self.push_screen(self._queue_screen)

    def _ensure_queue_reader(self) -> "QueueReader":
        from orderdesk_tui.services.queue import QueueReader

        if self._queue_reader is None:
            self._queue_reader = QueueReader(self.desk.store, self.desk.settings.sla)
        return self._queue_reader

    @work(thread=True, exclusive=True, group="queue-read-ahead", exit_on_error=False)
    def read_queue_ahead(self) -> None:
        """After the first paint, off the UI thread: import the queue and read it once, so the
        first Ctrl+T shows it at once (with the time it was read) and reads only what changed
        since. A Ctrl+T during this read waits for it, then reads the changes."""
        import screens.queue  # noqa: F401  (imported here, not on the UI thread at Ctrl+T)

        try:
            self._ensure_queue_reader().read()
        except Exception:  # nobody asked for it yet: the queue screen's own read will say
            LOGGER.info("reading the queue ahead failed", exc_info=True)

    def action_orders(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()
