"""Key press -> screen updated in the order-entry lines grid, on the 1M store, workers running.

    .venv/bin/python bench/entry_latency.py                  # paced lines, bursts, part lookups
    .venv/bin/python bench/entry_latency.py --lines 20 --burst-lines 5 --size 200x60
    .venv/bin/python bench/entry_latency.py --profile        # cProfile of the UI thread
    .venv/bin/python bench/entry_latency.py --db /path/to/scale.sqlite3   # use it in place

Latency is measured inside the app, as Pilot cannot (it waits for idle): each key is made by a
typist thread and handed to the app through the driver (`driver.send_message`, as the Linux
driver's input thread does), so `events.Key.time` is the moment of the key press. The screen's
`type_ahead_key` is wrapped to note when the key was applied and which field it went to, and
`App._display` is wrapped to stamp each frame after serialising it to terminal bytes
(`CompositorUpdate.render_segments`, the work a real terminal frame costs; the headless driver
itself writes nothing). A key's latency runs from its press to the end of the first frame
rendered after it was applied in which the field it left the cursor on is on screen (so an
Enter that adds a line counts until the new line is drawn).

The order is keyed as a coordinator does: customer, PO, date, then lines of real part numbers
from the store and quantities (part, Enter, quantity, Enter). First `--lines` lines at 8-12
keys/s (a uniform gap of 83-125 ms), then `--burst-lines` lines each sent as one burst (no gap;
a type-ahead buffer emptying), 1.5 s apart. Every committed quantity starts the line's price and
availability workers, and every key in a part field starts the as-you-type match worker (a
thread), so the UI thread shares the GIL with them, as in use. Afterwards every line is checked.

Part lookup: `services.lookup.find_parts` (limit 6, what the match worker asks) over 500
realistic needles on the same store: exact part numbers, part-number prefixes as typed (2-8
characters), UPCs, and one- or two-word description searches. Goals: key to frame p95 <= 16 ms,
part lookup p95 <= 15 ms. The part picker's browse (`part_categories`, and `parts_in_category`
pages of 40 at random depths of random categories) is held to the part lookup's goal.

The 1M store is a copy of `bench/out/atp-scale-1000000.sqlite3` (made once by bench/atp.py,
about 100 s, if missing), placed next to it and deleted afterwards.
"""

import argparse
import asyncio
import cProfile
import gc
import os
import pstats
import random
import re
import shutil
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

# First, as `orderdesk` does: the package sets TEXTUAL_FPS before Textual is imported.
import orderdesk_tui  # noqa: F401

# isort: split
from sqlalchemy import text
from textual import events
from textual._compositor import CompositorUpdate
from textual._time import get_time
from textual.screen import Screen

from orderdesk_tui.app import OrderDeskApp
from orderdesk_tui.config import Settings
from orderdesk_tui.services.lookup import find_parts, part_categories, parts_in_category
from orderdesk_tui.services.users import ensure_user
from orderdesk_tui.store import Store
from screens.dialogs import PickDialog
from screens.order_entry import OrderEntryScreen
from screens.widgets.lines_grid import GridCell

OUT = Path(__file__).resolve().parent / "out"
SCALE_N = 1_000_000
KEY_GOAL_MS = 16.0
LOOKUP_GOAL_MS = 15.0
KEY_NAMES = {
    "-": "minus",
    "/": "slash",
    ".": "full_stop",
    " ": "space",
    "*": "asterisk",
    "+": "plus",
    "#": "number_sign",
    ",": "comma",
}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def stats(values: list[float]) -> str:
    if not values:
        return "n=0"
    return (
        f"p50 {pct(values, 50):6.1f}  p95 {pct(values, 95):6.1f}  max {max(values):6.1f} ms"
        f"  (n={len(values)})"
    )


def scale_copy(workdir: Path) -> Path:
    """A private copy of the cached 1M store (seeded once by bench/atp.py if missing)."""
    cached = OUT / f"atp-scale-{SCALE_N}.sqlite3"
    if not cached.exists():
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from atp import _cached_store  # seeds and caches it, as bench/atp.py does

        _cached_store(SCALE_N, 1).dispose()
    copy = workdir / "scale.sqlite3"
    print(f"copying {cached.name} ({cached.stat().st_size / 2**30:.1f} GiB)…", flush=True)
    shutil.copyfile(cached, copy)
    wal = cached.with_name(cached.name + "-wal")  # left by a process that did not close it
    if wal.exists():
        shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
    return copy


# -- what is typed -----------------------------------------------------------------------------


@dataclass
class Typed:
    key: str
    char: str | None
    gap_s: float  # after the previous key


def keys_for(text_: str, gap: Callable[[], float]) -> list[Typed]:
    out = []
    for ch in text_:
        if ch == "\n":
            out.append(Typed("enter", None, gap()))
        else:
            out.append(Typed(ch if ch.isalnum() else KEY_NAMES[ch], ch, gap()))
    return out


def pick_data(store: Store, rng: random.Random, n_lines: int) -> tuple[str, list[tuple[str, int]]]:
    """An active customer with a ship-to and credit ok, and orderable parts with quantities."""
    with store.session() as session:
        conn = session.connection()
        customers = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT c.code FROM customers c WHERE c.active AND c.credit_status = 'ok' "
                    "AND EXISTS (SELECT 1 FROM addresses a WHERE a.customer_id = c.id "
                    "AND a.kind = 'ship_to' AND a.active) ORDER BY c.id LIMIT 2000"
                )
            )
        ]
        one = 1000 if store.is_sqlite else 1  # SQLite holds quantities as counts of 0.001
        parts = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT part_number FROM items WHERE status = 'active' AND moq = :one "
                    "AND order_multiple = :one AND NOT fractional_uom ORDER BY id LIMIT 50000"
                ),
                {"one": one},
            )
        ]
    chosen = rng.sample(parts, n_lines)
    return rng.choice(customers), [(p, rng.randint(1, 40)) for p in chosen]


# -- the probe: key applied, frame rendered -----------------------------------------------------


@dataclass
class Sample:
    key: str
    field: str  # the field the key was typed into
    grid: bool  # a lines-grid field (part, qty, price, reason)
    phase: str  # "paced" or "burst"
    pressed: float
    applied_start: float
    applied_end: float
    target: object  # the field the cursor is on after the key
    rows: int  # order lines on the screen when the key was typed
    on_screen: bool  # the field typed into was drawn in the last frame before the key
    frame: float = 0.0


def drawn(screen: Screen[object], field: object) -> bool:
    """Whether the field is on screen: a header widget, or a lines-grid cell in view."""
    if isinstance(field, GridCell) and isinstance(screen, OrderEntryScreen):
        grid = screen.grid
        return grid in screen._compositor.visible_widgets and grid.row_on_screen(field.row)
    return field in screen._compositor.visible_widgets


class Probe:
    def __init__(self, app: OrderDeskApp) -> None:
        self.app = app
        self.phase = ""
        self.pending: list[Sample] = []
        self.done: list[Sample] = []
        self.frames = 0
        self.frame_ms: list[float] = []
        #: Garbage-collector pauses while typing (they stop every thread): (ms, generation).
        self.gc_pauses: list[tuple[float, int]] = []
        self._gc_start = 0.0

    def _gc(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._gc_start = time.perf_counter()
        elif self.phase:
            self.gc_pauses.append(
                ((time.perf_counter() - self._gc_start) * 1000, info["generation"])
            )

    def install(self) -> None:
        probe = self
        gc.callbacks.append(self._gc)
        original_take = OrderEntryScreen.type_ahead_key

        def take(screen: OrderEntryScreen, event: events.Key | events.Paste) -> bool:
            before = screen.active
            on_screen = drawn(screen, before)
            start = get_time()
            taken = original_take(screen, event)
            end = get_time()
            if probe.phase and isinstance(event, events.Key) and before is not None:
                grid = screen.grid.line_of(before) is not None
                probe.pending.append(
                    Sample(
                        event.key,
                        before.field,
                        grid,
                        probe.phase,
                        event.time,
                        start,
                        end,
                        screen.active,
                        len(screen.lines),
                        on_screen,
                    )
                )
            return taken

        OrderEntryScreen.type_ahead_key = take  # type: ignore[method-assign]

        app = self.app
        original_display = app._display
        console = app.console

        def display(screen: object, renderable: object) -> None:
            original_display(screen, renderable)  # type: ignore[arg-type]
            if renderable is None:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(console)  # the bytes a terminal frame costs
            now = get_time()
            probe.frames += 1
            if not probe.pending:
                return
            keep = []
            for sample in probe.pending:
                if sample.target is None or drawn(app.screen, sample.target):
                    sample.frame = now
                    probe.done.append(sample)
                else:
                    keep.append(sample)  # its field is not drawn yet (a line being mounted)
            probe.pending = keep

        app._display = display  # type: ignore[method-assign]

        original_update = Screen._on_timer_update

        def on_timer_update(screen: Screen[object]) -> None:
            """One frame: layout if needed, render, display."""
            start = get_time()
            original_update(screen)
            if probe.phase:
                probe.frame_ms.append((get_time() - start) * 1000)

        Screen._on_timer_update = on_timer_update  # type: ignore[method-assign]


# -- the run ------------------------------------------------------------------------------------


def typist(app: OrderDeskApp, plan: list[Typed], stop: threading.Event) -> None:
    """Press the keys at their pace from another thread, as a terminal's input thread does."""
    driver = app._driver
    assert driver is not None
    due = time.monotonic()
    for typed in plan:
        if stop.is_set():
            return
        due += typed.gap_s
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        driver.send_message(events.Key(typed.key, typed.char))


async def press_all(app: OrderDeskApp, plan: list[Typed]) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=typist, args=(app, plan, stop), daemon=True)
    thread.start()
    try:
        while thread.is_alive():
            await asyncio.sleep(0.05)
    finally:
        stop.set()


async def key_order(
    store: Store,
    customer: str,
    lines: list[tuple[str, int]],
    paced_lines: int,
    size: tuple[int, int],
    rng: random.Random,
    profile: cProfile.Profile | None,
) -> tuple[Probe, OrderEntryScreen]:
    app = OrderDeskApp(store=store, settings=Settings(), user=ensure_user(store, "alice"))
    probe = Probe(app)

    def paced() -> float:
        return rng.uniform(1 / 12, 1 / 8)

    async with app.run_test(size=size) as pilot:
        probe.install()
        await pilot.pause(0.5)
        await pilot.press("ctrl+n")
        await pilot.pause(0.2)
        if isinstance(app.screen, PickDialog):
            await pilot.press("1")
            await pilot.pause(0.2)
        screen = app.screen
        assert isinstance(screen, OrderEntryScreen), screen

        # header, paced
        probe.phase = "paced"
        if profile is not None:
            profile.enable()
        await press_all(app, keys_for(f"{customer.lower()}\nPO-LAT-1\n+3\n", paced))
        # lines at 8-12 keys/s
        plan: list[Typed] = []
        for part, qty in lines[:paced_lines]:
            plan += keys_for(f"{part.lower()}\n{qty}\n", paced)
        await press_all(app, plan)
        # lines as bursts
        probe.phase = "burst"
        for part, qty in lines[paced_lines:]:
            await asyncio.sleep(1.5)
            await press_all(app, keys_for(f"{part.lower()}\n{qty}\n", lambda: 0.0))
        await asyncio.sleep(1.0)
        if profile is not None:
            profile.disable()
        probe.phase = ""
        screen.writer.flush()
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        return probe, screen


def check_order(screen: OrderEntryScreen, lines: list[tuple[str, int]]) -> list[str]:
    problems = []
    got = [(ln.item.part_number, ln.quantity) for ln in screen.lines if ln.item is not None]
    want = [(p, Decimal(q)) for p, q in lines]
    if got != want:
        problems.append(f"lines on screen differ: {len(got)} keyed lines vs {len(want)} planned")
        for n, (g, w) in enumerate(zip(got, want, strict=False), 1):
            if g != w:
                problems.append(f"  line {n}: {g} != {w}")
                break
    unpriced = sum(1 for ln in screen.lines if ln.item is not None and ln.price is None)
    unstocked = sum(1 for ln in screen.lines if ln.item is not None and ln.stock is None)
    if unpriced or unstocked:
        problems.append(f"{unpriced} lines without a price, {unstocked} without availability")
    return problems


def report_keys(probe: Probe) -> float:
    samples = probe.done
    lost = len(probe.pending)
    print(f"\nkey -> frame, ms ({probe.frames} frames; {lost} keys never seen drawn)")

    def lat(s: Sample) -> float:
        return (s.frame - s.pressed) * 1000

    groups: dict[str, list[Sample]] = defaultdict(list)
    for s in samples:
        if not s.grid:
            groups[f"{s.phase} header keys"].append(s)
            continue
        kind = "Enter" if s.key == "enter" else "character"
        groups[f"{s.phase} grid, {kind} in {s.field}"].append(s)
        groups[f"{s.phase} grid, all keys"].append(s)
    order = [
        "paced grid, all keys",
        "paced grid, character in part",
        "paced grid, Enter in part",
        "paced grid, character in qty",
        "paced grid, Enter in qty",
        "paced header keys",
        "burst grid, all keys",
        "burst grid, character in part",
        "burst grid, Enter in part",
        "burst grid, character in qty",
        "burst grid, Enter in qty",
    ]
    for name in order + sorted(set(groups) - set(order)):
        if name in groups:
            print(f"  {name:<34} {stats([lat(s) for s in groups[name]])}")
    paced = groups.get("paced grid, all keys", [])
    if paced:
        queue = [(s.applied_start - s.pressed) * 1000 for s in paced]
        handler = [(s.applied_end - s.applied_start) * 1000 for s in paced]
        to_frame = [(s.frame - s.applied_end) * 1000 for s in paced]
        print("  paced grid keys, where the time goes:")
        print(f"    press -> handler start (queue)  {stats(queue)}")
        print(f"    handler (type_ahead_key)        {stats(handler)}")
        print(f"    handler end -> frame drawn      {stats(to_frame)}")
        hidden = [lat(s) for s in paced if not s.on_screen]
        shown = [lat(s) for s in paced if s.on_screen]
        print("  paced grid keys by whether the field typed into was on screen:")
        print(f"    field on screen                 {stats(shown)}")
        print(f"    field scrolled out of view      {stats(hidden)}")
        print("  paced grid keys by the number of lines on screen:")
        for low in range(1, max(s.rows for s in paced) + 1, 10):
            band = [lat(s) for s in paced if low <= s.rows < low + 10]
            if band:
                print(f"    lines {low:>3}-{low + 9:<3}                 {stats(band)}")
    print(f"  frame (layout, render, serialise)   {stats(probe.frame_ms)}")
    for generation in (0, 1, 2):
        pauses = [ms for ms, g in probe.gc_pauses if g == generation]
        if pauses:
            print(
                f"  GC generation {generation} pauses         {stats(pauses)}"
                f"  total {sum(pauses):.0f} ms"
            )
    p95 = pct([lat(s) for s in paced], 95) if paced else float("nan")
    verdict = "met" if p95 <= KEY_GOAL_MS else "MISSED"
    print(
        f"paced typing in the lines grid: p95 {p95:.1f} ms; goal <= {KEY_GOAL_MS:.0f} ms: {verdict}"
    )
    return p95


# -- part lookup ----------------------------------------------------------------------------------


def lookup_needles(store: Store, rng: random.Random, n: int) -> list[tuple[str, str]]:
    with store.session() as session:
        conn = session.connection()
        top = conn.execute(text("SELECT max(id) FROM items")).scalar() or 1
        ids = rng.sample(range(1, top + 1), n)
        rows = conn.execute(
            text(
                "SELECT part_number, description, upc FROM items "
                f"WHERE id IN ({','.join(map(str, ids))})"
            )
        ).all()
    needles: list[tuple[str, str]] = []
    for k, (part, description, upc) in enumerate(rows):
        kind = k % 10
        words = [w for w in re.split(r"[ ,]+", description) if len(w) >= 3 and w.isalpha()]
        if kind < 3:
            needles.append(("exact part", part))
        elif kind < 6:
            needles.append(("part prefix", part[: rng.randint(2, 8)]))
        elif kind == 6 and upc:
            needles.append(("UPC", upc))
        elif kind < 9 and words:
            needles.append(("one word", rng.choice(words).lower()))
        elif len(words) >= 2:
            a, b = rng.sample(words, 2)
            needles.append(("two words", f"{a.lower()} {b.lower()}"))
        else:
            needles.append(("part prefix", part[:4]))
    return needles[:n]


def report_lookups(store: Store, rng: random.Random, n: int) -> float:
    needles = lookup_needles(store, rng, n)
    with store.session() as session:
        customer_id = session.connection().execute(text("SELECT min(id) FROM customers")).scalar()
    for _, needle in needles[:20]:  # warm the statement cache
        find_parts(store, needle, customer_id=customer_id, limit=6)
    by_kind: dict[str, list[float]] = defaultdict(list)
    slowest: list[tuple[float, str, int]] = []
    for kind, needle in needles:
        t0 = time.perf_counter()
        hits = find_parts(store, needle, customer_id=customer_id, limit=6)
        ms = (time.perf_counter() - t0) * 1000
        by_kind[kind].append(ms)
        slowest.append((ms, f"{kind} '{needle}'", len(hits)))
    everything = [ms for values in by_kind.values() for ms in values]
    print(f"\npart lookup (find_parts, limit 6) over {len(everything)} needles, ms")
    for kind, values in sorted(by_kind.items()):
        print(f"  {kind:<14} {stats(values)}")
    print(f"  {'all':<14} {stats(everything)}")
    print("  slowest: " + "; ".join(f"{w} {ms:.0f} ms" for ms, w, _ in sorted(slowest)[-5:][::-1]))
    p95 = pct(everything, 95)
    verdict = "met" if p95 <= LOOKUP_GOAL_MS else "MISSED"
    print(f"part lookup p95 {p95:.1f} ms; goal <= {LOOKUP_GOAL_MS:.0f} ms: {verdict}")
    return p95


def report_browse(store: Store, rng: random.Random, n: int) -> float:
    """The part picker's browse: the categories, then pages of one category at random depths."""
    categories: list[float] = []
    for _ in range(20):
        t0 = time.perf_counter()
        names = part_categories(store)
        categories.append((time.perf_counter() - t0) * 1000)
    with store.session() as session:
        top = session.connection().execute(text("SELECT max(id) FROM items")).scalar() or 0
    pages: list[float] = []
    for _ in range(n):
        t0 = time.perf_counter()
        parts_in_category(store, rng.choice(names), after_id=rng.randrange(top), limit=40)
        pages.append((time.perf_counter() - t0) * 1000)
    print(f"\npart browse over {len(names)} categories, ms")
    print(f"  {'categories':<14} {stats(categories)}")
    print(f"  {'a page of 40':<14} {stats(pages)}")
    p95 = pct(categories + pages, 95)
    verdict = "met" if p95 <= LOOKUP_GOAL_MS else "MISSED"
    print(f"part browse p95 {p95:.1f} ms; goal <= {LOOKUP_GOAL_MS:.0f} ms: {verdict}")
    return p95


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help="a 1M store to use in place (it is written to)")
    parser.add_argument("--lines", type=int, default=30, help="lines typed at 8-12 keys/s")
    parser.add_argument("--burst-lines", type=int, default=10, help="lines typed as bursts")
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--size", default="160x45", help="terminal size (default 160x45)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--profile", action="store_true", help="cProfile the UI thread")
    parser.add_argument("--skip-typing", action="store_true", help="part lookups only")
    args = parser.parse_args()
    width, height = (int(v) for v in args.size.split("x"))

    OUT.mkdir(exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="latency-", dir=OUT))
    try:
        path = args.db or scale_copy(work)
        store = Store(f"sqlite:///{path}", create=False)
        store.upgrade()
        rng = random.Random(args.seed)
        with store.session() as session:
            n_items = session.connection().execute(text("SELECT count(*) FROM items")).scalar()
        print(f"store {store.display_url}: {n_items:,} items; terminal {width}x{height}")
        print("load average at start: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
        if not args.skip_typing:
            customer, lines = pick_data(store, rng, args.lines + args.burst_lines)
            profile = cProfile.Profile() if args.profile else None
            probe, screen = asyncio.run(
                key_order(store, customer, lines, args.lines, (width, height), rng, profile)
            )
            print(
                f"keyed customer {customer}, {args.lines} lines at 8-12 keys/s and "
                f"{args.burst_lines} lines as bursts"
            )
            problems = check_order(screen, lines)
            print("order on screen: " + ("; ".join(problems) if problems else "every line right"))
            report_keys(probe)
            if profile is not None:
                print("\ncProfile of the UI thread while typing (cumulative):")
                pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
        report_lookups(store, rng, args.lookups)
        report_browse(store, rng, args.lookups)
        print("load average at end: " + " ".join(f"{v:.2f}" for v in os.getloadavg()))
        store.dispose()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
