"""Key specs: parsing and normalising them, showing them, and the keys legacy terminals cannot
send."""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from orderdesk_tui.keymap.key_names import (
    BASE_DISPLAY,
    KITTY_ONLY_BASES,
    LEGACY_SAME_AS,
    MODIFIER_DISPLAY,
    MODIFIER_HINTS,
    MODIFIERS,
    NAME_TO_CHARACTER,
    SAME_KEY,
    TEXTUAL_KEY_NAMES,
    character_to_key,
    keyboard_character_name,
    named_character,
    on_a_keyboard,
)


class _BadKey(ValueError):
    """A key in a spec does not parse; the message names the key."""


def suggest(word: str, choices: Iterable[str]) -> str:
    match = difflib.get_close_matches(word, list(choices), n=1)
    return f" (did you mean {match[0]!r}?)" if match else ""


def _parse_key(key: str) -> str:
    """One key (``ctrl+shift+up``) in Textual's canonical form; raises `_BadKey`."""
    if key == "+" or key.endswith("++"):
        raise _BadKey(f"bad key {key!r}: write 'plus' for the + key")
    *modifiers, base = key.split("+")
    if not base or any(not modifier for modifier in modifiers):
        raise _BadKey(f"bad key {key!r}: empty part between '+' signs")
    seen: set[str] = set()
    for modifier in modifiers:
        if modifier not in MODIFIERS:
            hint = MODIFIER_HINTS.get(modifier.lower())
            if hint is None and modifier.lower() in MODIFIERS:
                hint = modifier.lower()
            suggestion = f" (did you mean {hint!r}?)" if hint else suggest(modifier, MODIFIERS)
            raise _BadKey(f"bad key {key!r}: unknown modifier {modifier!r}{suggestion}")
        if modifier in seen:
            raise _BadKey(f"bad key {key!r}: modifier {modifier!r} given twice")
        seen.add(modifier)
    if len(base) == 1:
        if not base.isprintable() or base.isspace():
            raise _BadKey(f"bad key {key!r}: {base!r} is not a printable character")
        if modifiers and base.isalpha() and base.isupper():
            raise _BadKey(
                f"bad key {key!r}: use a lower-case letter after a modifier "
                f"({'+'.join([*modifiers, base.lower()])!r}, with 'shift+' for the shifted key)"
            )
        if not on_a_keyboard(base):
            raise _BadKey(
                f"bad key {key!r}: {base!r} is not a key on a keyboard "
                "(emoji, pictographs and dingbats cannot be bound)"
            )
        if seen == {"shift"}:
            instead = repr(base.upper()) if base.isalpha() else "that character"
            raise _BadKey(
                f"bad key {key!r}: terminals send the shifted character itself; "
                f"write {instead} instead"
            )
        if key != "ctrl+@":  # Textual's own name for ctrl+space on legacy terminals
            base = character_to_key(base)
    elif base not in TEXTUAL_KEY_NAMES and not keyboard_character_name(base):
        named = named_character(base)
        if named is not None:
            suggestion = f" (it names the character {named!r}, which no keyboard has)"
        elif base.lower() in TEXTUAL_KEY_NAMES:
            suggestion = f" (key names are lower case: {base.lower()!r})"
        else:
            suggestion = suggest(base.lower(), TEXTUAL_KEY_NAMES)
        raise _BadKey(f"bad key {key!r}: unknown key name {base!r}{suggestion}")
    ordered = sorted(seen)  # Textual builds key events with the modifiers in this order
    return "+".join([*ordered, base])


def parse_key_spec(spec: str) -> tuple[list[str], list[str]]:
    """Split and normalise a key spec (``"slash, F5"``).

    Returns the keys in Textual's canonical form (single characters by name, modifiers
    sorted, duplicates dropped) and one message for each key that does not parse.
    """
    keys: list[str] = []
    errors: list[str] = []
    if not spec.strip():
        return keys, ["no key given (Textual's keymap cannot unbind a key)"]
    for raw in spec.split(","):
        text = raw.strip()
        if not text:
            errors.append(f"empty key in {spec!r} (a stray comma?)")
            continue
        try:
            key = _parse_key(text)
        except _BadKey as exc:
            errors.append(str(exc))
            continue
        if key not in keys:
            keys.append(key)
    return keys, errors


def _split(key: str) -> tuple[list[str], str]:
    *modifiers, base = key.split("+")
    return modifiers, base


def legacy_problem(key: str) -> str | None:
    """Why a legacy (non-kitty) terminal cannot send this canonical key, or None if it can."""
    if key in LEGACY_SAME_AS:
        return f"arrives as {format_key(LEGACY_SAME_AS[key])} on most terminals"
    modifiers, base = _split(key)
    mods = set(modifiers)
    single = len(base) == 1 and base.isalnum()
    if (
        mods & {"super", "hyper"}
        or base in KITTY_ONLY_BASES
        or (mods and base in ("enter", "escape", "backspace", "space"))
        or (base == "tab" and mods and mods != {"shift"})
        or ({"ctrl", "shift"} <= mods and single)
        or (mods == {"ctrl"} and single and base.isdigit())
    ):
        return "needs the kitty keyboard protocol; most terminals cannot send it"
    return None


def same_key(key: str) -> str:
    return SAME_KEY.get(key, key)


def format_key(key: str) -> str:
    """A canonical key as people write it: ``F9``, ``Ctrl+Q``, ``Enter``, ``/``."""
    modifiers, base = _split(key)
    if re.fullmatch(r"f\d+", base):
        shown = base.upper()
    elif base in BASE_DISPLAY:
        shown = BASE_DISPLAY[base]
    elif base in NAME_TO_CHARACTER:
        shown = NAME_TO_CHARACTER[base]
    elif len(base) == 1:
        shown = base.upper() if modifiers else base
    else:
        shown = base.replace("_", " ").title()
    order = list(MODIFIER_DISPLAY)
    names = [MODIFIER_DISPLAY[m] for m in sorted(modifiers, key=order.index)]
    return "+".join([*names, shown])
