"""Bindings built from `bindings.toml` by id, so the file is the one place keys are decided."""

from functools import cache

from textual.binding import Binding

from orderdesk_tui.keymap import Keymap, load_keymap
from orderdesk_tui.paths import bundled


@cache
def default_keymap() -> Keymap:
    return load_keymap(bundled("bindings.toml"), None)


def bind(
    binding_id: str,
    action: str,
    description: str,
    *,
    show: bool = True,
    priority: bool = False,
) -> Binding:
    """A Binding whose default key comes from the shipped bindings.toml entry `binding_id`."""
    return Binding(
        default_keymap().keys_for(binding_id),
        action,
        description,
        show=show,
        priority=priority,
        id=binding_id,
    )
