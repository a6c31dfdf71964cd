"""Bindings built from `bindings.toml` by id, so the file is the one place keys are decided."""

from functools import cache
from typing import Any

from textual.binding import Binding
from textual.screen import Screen

from orderdesk_tui.keymap.key_specs import format_key
from orderdesk_tui.keymap.loading import Keymap, load_keymap
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


def key_of(screen: Screen[Any], binding_id: str) -> str:
    """The key now bound to `binding_id` on `screen` as people write it (`F11`): a user's
    bindings.toml may have moved it; for messages that tell which key to press."""
    for active in screen.active_bindings.values():
        if active.binding.id == binding_id:
            return format_key(active.binding.key)
    return default_keymap().key_display(binding_id)
