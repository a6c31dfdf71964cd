"""The colour theme: picked in the palette, saved in config.toml, used at the next start (by the
desk and the wallboard); screens colour their messages with the theme's variables."""

from typing import Any

from sqlmodel import select
from textual.color import Color
from textual.command import CommandPalette
from textual.widgets import Static

from orderdesk_tui.config import DeskSettings, Settings, config_path, load_settings
from orderdesk_tui.models import Hold, SalesOrder
from orderdesk_tui.store import Store
from screens.order_view import OrderViewScreen
from screens.wallboard import WallboardApp
from tests.ui import SIZE, keys_of, make_app, wait_for


async def test_a_theme_picked_in_the_palette_is_the_theme_at_the_next_start(
    demo_store: Store,
) -> None:
    config_path().parent.mkdir(parents=True)
    config_path().write_text('# the desk by the door\n[desk]\nuser = "alice"\n', encoding="utf-8")
    app = make_app(demo_store, settings=load_settings())
    async with app.run_test(size=SIZE) as pilot:
        assert app.theme == "textual-dark"
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*"theme")
        await pilot.pause(0.3)
        await pilot.press("enter")  # Textual's "Theme" command: a palette of themes
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await pilot.press(*(key for key, _ in keys_of("solarized-light")))
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.theme == "solarized-light")
        await wait_for(pilot, lambda: "solarized-light" in config_path().read_text("utf-8"))

    saved = config_path().read_text(encoding="utf-8")
    assert saved.startswith('# the desk by the door\n[desk]\nuser = "alice"\n')  # kept as written
    settings = load_settings()
    assert settings.desk.theme == "solarized-light"
    again = make_app(demo_store, settings=settings)
    async with again.run_test(size=SIZE):
        assert again.theme == "solarized-light"
    board = WallboardApp(demo_store, settings, poll_s=60)
    async with board.run_test(size=SIZE):
        assert board.theme == "solarized-light"


async def test_a_theme_that_is_not_one_starts_the_default_and_says_so(demo_store: Store) -> None:
    settings = Settings(desk=DeskSettings(theme="solarised-light"))
    app = make_app(demo_store, settings=settings)
    shown: list[str] = []
    real_notify = app.notify

    def notify(message: str, **options: Any) -> None:
        shown.append(message)
        real_notify(message, **options)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: shown)
        assert app.theme == "textual-dark"
    assert any(
        "'solarised-light' is not a theme (did you mean 'solarized-light'?)" in m for m in shown
    )
    assert not config_path().exists()  # nothing was picked: nothing written


def _colour_of(static: Static, word: str) -> str:
    """The colour `word` is drawn in, as #rrggbb."""
    for y in range(static.size.height):
        for segment in static.render_line(y):
            if word in segment.text:
                colour = segment.style.color if segment.style else None
                assert colour is not None and colour.triplet is not None
                return colour.triplet.hex
    raise AssertionError(f"{word!r} is not on screen")


async def test_a_light_theme_draws_a_hold_in_its_own_error_colour(demo_store: Store) -> None:
    with demo_store.session() as session:
        order_id = session.exec(
            select(SalesOrder.id)
            .join(Hold, Hold.order_id == SalesOrder.id)  # type: ignore[arg-type]
            .where(Hold.released_at == None)  # noqa: E711
        ).first()
    assert order_id is not None, "demo data has no order on hold"
    app = make_app(demo_store, settings=Settings(desk=DeskSettings(theme="catppuccin-latte")))
    async with app.run_test(size=SIZE) as pilot:
        app.push_screen(OrderViewScreen(app.desk, app.status, order_id))
        await wait_for(pilot, lambda: isinstance(app.screen, OrderViewScreen) and app.screen.detail)
        header = app.screen.query_one("#order-header", Static)
        error = Color.parse(app.theme_variables["error"]).hex.lower()
        assert _colour_of(header, "HOLD:") == error == "#d10f39"  # catppuccin-latte's red
