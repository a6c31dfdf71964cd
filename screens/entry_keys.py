"""What happens to the keys typed after a refusal: they are thrown away until the typist stops.

README: "the bell rings, the keys typed after it are thrown away, the message names the field and
the rule, and the cursor stays there with your text". A coordinator typing heads-down goes on
with the next fields before seeing the message; those keys were meant for fields the cursor never
reached, so none of them is applied: not to the refused field (they would add to, or replace, the
text it keeps) and not to any other. The keys already queued when the refusal is shown and every
key that follows within `PAUSE_S` of the one before are thrown away, at any typing speed; the
first key after a pause of `PAUSE_S` (time to read the message) is applied as usual.

Dialogs opened by a refusal (the part picker, the discontinued-part question) share the gate, so
keys typed blindly do not pick a row or answer the question either.
"""

from typing import Any

from textual import events
from textual.screen import Screen

#: A pause in the typing this long ends the throwing away (a typist reacting to the bell).
PAUSE_S = 0.3


class KeyGate:
    """Closed by a refusal; throws keys away until a pause of `pause` seconds between keys."""

    def __init__(self, pause: float = PAUSE_S) -> None:
        self.pause = pause
        #: When the refusal was shown, then when the last thrown-away key was typed.
        self._last: float | None = None

    @property
    def closed(self) -> bool:
        return self._last is not None

    def close(self, now: float) -> None:
        self._last = now if self._last is None else max(self._last, now)

    def swallows(self, typed_at: float) -> bool:
        """True if the key typed at `typed_at` (event time) is to be thrown away."""
        if self._last is None:
            return False
        if typed_at - self._last >= self.pause:
            self._last = None
            return False
        self._last = max(self._last, typed_at)
        return True


def own_action(screen: Screen[Any], key: str) -> str | None:
    """The action of `screen`'s own binding for `key`, as Textual would run it (the user's
    bindings.toml applied), so that a key typed into a field can run it at once, in the
    order typed; None if the key is not bound on `screen` itself."""
    active = screen.active_bindings.get(key)
    if active is None or active.node is not screen:
        return None
    return active.binding.action


class GatedKeys:
    """For a dialog a refusal opens: keys typed before the typist paused are thrown away.

    The app hands every key to the screen's `type_ahead_key` first (app.on_event); a True
    answer drops it, False lets Textual deliver it as usual."""

    gate: KeyGate | None = None

    def type_ahead_key(self, event: events.Key | events.Paste) -> bool:
        return self.gate is not None and self.gate.swallows(event.time)
