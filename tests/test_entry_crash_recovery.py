"""Crash recovery: the app as a real process in a pseudo-terminal, killed mid-order.

Half an order is typed into a real `orderdesk` process as terminal bytes; once the store holds
the draft with both lines, the process group gets SIGKILL (no shutdown code runs). A second
process on the same store must offer the draft back on Ctrl+N and, once it is picked, show the
customer, the PO and both lines. The screen is read back through a small terminal emulator
(enough of VT100 for Textual's output: cursor addressing, erase, text), so the checks are on
what a coordinator would see, and the draft itself is checked in the store.

Every wait polls with a generous bound, so a loaded two-core machine slows the test down
rather than failing it.
"""

import codecs
import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import col, select

from orderdesk_tui.models import Customer, Item, SalesOrder, SalesOrderLine
from orderdesk_tui.models.base import OrderState
from orderdesk_tui.services.drafts import open_drafts
from orderdesk_tui.store import Store

COLUMNS, LINES = 160, 45
CTRL_N = b"\x0e"
F5 = b"\x1b[15~"
ENTER = b"\r"
#: Bounds for each wait; generous, as the machine may be busy. Polls end as soon as they hold.
START_S = 90.0
STEP_S = 45.0
PO = "PO-CRASH-77"
QUANTITIES = (12, 7)

_CSI = re.compile(r"\x1b\[([0-9;?<=>!]*)([ -/]*)([@-~])")


class Screen:
    """Just enough of a VT100 to read Textual's frames back: CUP/CUU/CUD/CUF/CUB/CHA/VPA, ED,
    EL, CR/LF/BS and text; colours, modes and OSC strings are dropped."""

    def __init__(self, columns: int, lines: int) -> None:
        self.columns, self.lines = columns, lines
        self.cells = [[" "] * columns for _ in range(lines)]
        self.x = self.y = 0
        self._pending = ""
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")

    def feed(self, data: bytes) -> None:
        text = self._pending + self._decoder.decode(data)
        self._pending = ""
        i, n = 0, len(text)
        while i < n:
            ch = text[i]
            if ch == "\x1b":
                if i + 1 >= n:
                    self._pending = text[i:]
                    return
                nxt = text[i + 1]
                if nxt == "[":
                    match = _CSI.match(text, i)
                    if match is None:
                        if len(text) - i < 64:  # an incomplete sequence: wait for the rest
                            self._pending = text[i:]
                            return
                        i += 2
                        continue
                    self._csi(match.group(1), match.group(3))
                    i = match.end()
                elif nxt in "]PX^_":  # OSC/DCS/...: up to BEL or ST
                    end = min(
                        (p for p in (text.find("\x07", i), text.find("\x1b\\", i)) if p != -1),
                        default=-1,
                    )
                    if end == -1:
                        self._pending = text[i:]
                        return
                    i = end + (1 if text[end] == "\x07" else 2)
                elif nxt in "()#%":
                    i += 3
                else:
                    i += 2
            elif ch == "\r":
                self.x = 0
                i += 1
            elif ch == "\n":
                self.y = min(self.lines - 1, self.y + 1)
                i += 1
            elif ch == "\b":
                self.x = max(0, self.x - 1)
                i += 1
            elif ch < " " or ch == "\x7f":
                i += 1
            else:
                if self.x < self.columns:
                    self.cells[self.y][self.x] = ch
                self.x += 1
                i += 1

    def _csi(self, params: str, final: str) -> None:
        if params.startswith(("?", "<", "=", ">")):
            return  # private modes and queries
        numbers = [int(p) if p.isdigit() else 0 for p in params.split(";")] if params else []

        def arg(k: int, default: int) -> int:
            return numbers[k] if len(numbers) > k and numbers[k] else default

        if final in "Hf":
            self.y = min(self.lines - 1, max(0, arg(0, 1) - 1))
            self.x = min(self.columns - 1, max(0, arg(1, 1) - 1))
        elif final == "A":
            self.y = max(0, self.y - arg(0, 1))
        elif final == "B":
            self.y = min(self.lines - 1, self.y + arg(0, 1))
        elif final == "C":
            self.x = min(self.columns - 1, self.x + arg(0, 1))
        elif final == "D":
            self.x = max(0, self.x - arg(0, 1))
        elif final == "G":
            self.x = min(self.columns - 1, max(0, arg(0, 1) - 1))
        elif final == "d":
            self.y = min(self.lines - 1, max(0, arg(0, 1) - 1))
        elif final == "J":
            mode = arg(0, 0)
            if mode in (2, 3):
                self.cells = [[" "] * self.columns for _ in range(self.lines)]
            elif mode == 0:
                self.cells[self.y][self.x :] = [" "] * (self.columns - self.x)
                for row in self.cells[self.y + 1 :]:
                    row[:] = [" "] * self.columns
        elif final == "K":
            mode = arg(0, 0)
            row = self.cells[self.y]
            if mode == 0:
                row[self.x :] = [" "] * (self.columns - self.x)
            elif mode == 1:
                row[: self.x + 1] = [" "] * (self.x + 1)
            else:
                row[:] = [" "] * self.columns

    def text(self) -> str:
        return "\n".join("".join(row).rstrip() for row in self.cells)


class PtyApp:
    """`orderdesk --db … --user alice` in its own session on a 160x45 pseudo-terminal, signed
    in with her password."""

    def __init__(self, db: Path, env: dict[str, str], name: str) -> None:
        self.name = name
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
        self.screen = Screen(COLUMNS, LINES)
        self.raw = bytearray()
        self._lock = threading.Lock()
        script = Path(sys.executable).with_name("orderdesk")
        command = (
            [str(script)]
            if script.exists()
            else [sys.executable, "-c", "from orderdesk_tui.cli import main; main()"]
        )
        self.proc = subprocess.Popen(
            [*command, "--db", str(db), "--user", "alice"],
            stdin=slave,
            stdout=slave,
            stderr=slave,
            env=env,
            start_new_session=True,  # its own process group, as a terminal session would be
            close_fds=True,
        )
        os.close(slave)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        # --user alice: the desk asks for her desk password (the demo's, README) before it starts
        self.wait_for("the password prompt", lambda t: "desk password for alice" in t)
        self.send(b"alice-demo\r")

    def _read(self) -> None:
        while True:
            try:
                data = os.read(self.master, 65536)
            except OSError as error:  # EIO: every slave end is closed (the process is gone)
                if error.errno in (errno.EIO, errno.EBADF):
                    return
                raise
            if not data:
                return
            with self._lock:
                self.raw += data
                self.screen.feed(data)

    def text(self) -> str:
        with self._lock:
            return self.screen.text()

    def send(self, data: bytes, *, per_key_s: float = 0.0) -> None:
        """Keys as a terminal sends them; `per_key_s` spaces them out like a typist."""
        if per_key_s <= 0:
            os.write(self.master, data)
            return
        for byte in data:
            os.write(self.master, bytes([byte]))
            time.sleep(per_key_s)

    def wait_for(self, what: str, test: Callable[[str], bool], timeout: float = STEP_S) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.text()
            if test(text):
                return text
            if self.proc.poll() is not None:
                break
            time.sleep(0.1)
        self.fail(f"waited {timeout:.0f} s for {what}")
        raise AssertionError  # not reached

    def fail(self, why: str) -> None:
        state = "running" if self.proc.poll() is None else f"exited {self.proc.returncode}"
        tail = bytes(self.raw[-3000:]).decode("utf-8", "replace")
        pytest.fail(
            f"{self.name}: {why} (process {state})\n--- screen ---\n{self.text()}"
            f"\n--- raw tail ---\n{tail!r}"
        )

    def kill(self) -> None:
        """SIGKILL the whole process group: no atexit, no finally, no flush."""
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)
        self._reader.join(timeout=10)
        with contextlib.suppress(OSError):
            os.close(self.master)


def _env(tmp_path: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("TEXTUAL", "ORDERDESK_", "TMUX"))
    }
    env.update(
        ORDERDESK_CONFIG_DIR=str(tmp_path / "config"),
        ORDERDESK_DATA_DIR=str(tmp_path / "data"),
        TERM="xterm-256color",
        COLUMNS=str(COLUMNS),
        LINES=str(LINES),
        PYTHONUNBUFFERED="1",
    )
    return env


def _two_parts(store: Store) -> list[str]:
    """Active items any quantity of which is valid (MOQ and multiple 1, no licence, no hazmat)."""
    with store.session() as session:
        return list(
            session.exec(
                select(Item.part_number)
                .where(
                    Item.status == "active",
                    Item.moq == Decimal(1),
                    Item.order_multiple == Decimal(1),
                    Item.hazmat_un_number == "",
                    Item.eccn == "EAR99",
                    Item.fractional_uom == False,  # noqa: E712
                )
                .order_by(col(Item.id))
                .limit(2)
            )
        )


def _draft_lines(store: Store) -> tuple[SalesOrder | None, list[tuple[str, Decimal]]]:
    """Alice's draft with our PO, and its lines as (part, quantity)."""
    with store.session() as session:
        order = session.exec(
            select(SalesOrder).where(
                SalesOrder.customer_po == PO,
                SalesOrder.entered_by == "alice",
                SalesOrder.state == OrderState.DRAFT,
            )
        ).first()
        if order is None:
            return None, []
        lines = session.exec(
            select(SalesOrderLine)
            .where(SalesOrderLine.order_id == order.id)
            .order_by(col(SalesOrderLine.line_no))
        ).all()
        return order, [(ln.part_number, ln.quantity) for ln in lines]


def _poll(what: str, probe: Callable[[], bool], timeout: float, app: PtyApp) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if probe():
            return
        time.sleep(0.2)
    app.fail(f"waited {timeout:.0f} s for {what}")


def _on_entry_screen(text: str) -> bool:
    return "Requested" in text and ("Missing:" in text or "complete: F9" in text)


@pytest.fixture
def desk_db(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "desk.sqlite3"
    shutil.copy(demo_template, path)
    yield path


def test_draft_survives_sigkill_and_is_offered_back(desk_db: Path, tmp_path: Path) -> None:
    store = Store(f"sqlite:///{desk_db}", create=False)
    parts = _two_parts(store)
    assert len(parts) == 2
    env = _env(tmp_path)
    expected = [(p, Decimal(q)) for p, q in zip(parts, QUANTITIES, strict=True)]

    # -- first run: half an order, then SIGKILL --------------------------------------------------
    first = PtyApp(desk_db, env, "first run")
    try:
        first.wait_for(
            "the first paint (order list)", lambda t: "Order" in t and "New order" in t, START_S
        )
        first.send(CTRL_N)
        first.wait_for("the entry screen", _on_entry_screen)
        typed = (
            b"acme01\r"
            + PO.encode()
            + b"\r\r"  # Enter through the requested date (left empty)
            + b"".join(
                f"{p.lower()}\r{q}\r".encode() for p, q in zip(parts, QUANTITIES, strict=True)
            )
        )
        first.send(typed, per_key_s=0.01)

        def saved() -> bool:
            return _draft_lines(store)[1] == expected

        _poll("the draft with both lines in the store", saved, STEP_S, first)
    finally:
        first.kill()
    assert first.proc.returncode == -signal.SIGKILL
    order, lines = _draft_lines(store)
    assert order is not None and lines == expected
    with store.session() as session:
        customer = session.get(Customer, order.customer_id)
        assert customer is not None and customer.code == "ACME01"
    number = order.number
    assert any(d.number == number for d in open_drafts(store, "alice"))

    # -- second run: the draft is offered back, complete ---------------------------------------
    second = PtyApp(desk_db, env, "second run")
    try:
        second.wait_for(
            "the first paint (order list)", lambda t: "Order" in t and "New order" in t, START_S
        )
        second.send(CTRL_N)
        second.wait_for(
            f"{number} listed on the new order", lambda t: "F5 resumes" in t and number in t
        )
        second.send(F5)
        text = second.wait_for(
            f"{number} offered back", lambda t: "Open drafts" in t and f"resume {number}" in t
        )
        row = re.search(rf"(\d)  resume {number}\s+ACME01\b.*PO {PO}\s+2 lines", text)
        assert row is not None, text
        second.send(row.group(1).encode())

        def resumed(t: str) -> bool:
            return (
                _on_entry_screen(t)
                and re.search(r"^\s*Customer\s+ACME01\b", t, re.MULTILINE) is not None
                and re.search(rf"^\s*PO\s+{PO}\b", t, re.MULTILINE) is not None
                and all(
                    re.search(rf"^\s*{n}\s+{re.escape(p)}\s+{q}\b", t, re.MULTILINE)
                    for n, (p, q) in enumerate(expected, 1)
                )
            )

        second.wait_for("the resumed draft on screen", resumed)
    finally:
        second.kill()
    store.dispose()
