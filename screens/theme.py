"""The colour theme: the one `[desk] theme` names at start, and the user's pick saved back.

Both apps (the desk and the wallboard) start in the configured theme. The desk writes a theme
picked with the palette's "Theme" command to the config file (config.save_setting, which keeps
the rest of the file as written), so the next start, and the wallboard, use it. Screens colour
their text with the theme's variables (`[$error]`, `$warning`, `$success`), never a fixed
colour, so a light theme stays readable.
"""

import difflib
from functools import partial
from typing import Any

from textual.app import App
from textual.theme import Theme

from orderdesk_tui.config import save_setting
from orderdesk_tui.errors import ConfigError


def start_theme(app: App[Any], name: str) -> str | None:
    """Put `app` in theme `name`. A name that is not one of its themes leaves Textual's default
    and comes back as the notice to show (config.py cannot check it: it does not import
    Textual)."""
    if name in app.available_themes:
        app.theme = name
        return None
    hint = difflib.get_close_matches(name, sorted(app.available_themes), n=1)
    tail = f" (did you mean '{hint[0]}'?)" if hint else ""
    return f"config: setting 'desk.theme': '{name}' is not a theme{tail}; {app.theme} is used"


class ThemeSaver:
    """Saves the app's theme to the config file whenever the user picks another one."""

    def __init__(self, app: App[Any], saved: str) -> None:
        self.app = app
        #: The theme the config file holds, as far as this app knows.
        self.saved = saved
        app.theme_changed_signal.subscribe(app, self._changed)

    def _changed(self, theme: Theme) -> None:
        if theme.name != self.saved:
            # off the UI thread: the config file may sit on a slow network share
            self.app.run_worker(
                partial(self._save, theme.name),
                thread=True,
                group="theme-save",
                exclusive=True,
                exit_on_error=False,
            )

    def _save(self, name: str) -> None:
        try:
            save_setting("desk", "theme", name)
        except ConfigError as exc:
            self.app.call_from_thread(
                self.app.notify, f"theme not saved: {exc}", severity="error", timeout=10
            )
            return
        self.saved = name
