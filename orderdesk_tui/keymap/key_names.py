"""The key names Textual understands (embedded: this package never imports Textual), the keys
terminals confuse, and how keys are shown."""

from __future__ import annotations

import unicodedata

MODIFIERS: tuple[str, ...] = ("alt", "ctrl", "hyper", "meta", "shift", "super")
"""Modifier names, in the (alphabetical) order Textual puts them in a key event."""

# Base key names Textual uses, derived from textual 8.2.8: the last part of every
# `textual.keys.Keys` value, the values of `textual._keyboard_protocol.FUNCTIONAL_KEYS`, and
# `textual.keys._character_to_key()` of the printable ASCII characters. A single printable
# character is also accepted as a base key. tests/test_keymap.py checks this list against
# the installed Textual.
TEXTUAL_KEY_NAMES: frozenset[str] = frozenset(
    {
        # Keys enum (navigation, editing, function keys)
        "escape", "return", "enter", "tab", "space", "backspace",
        "left", "right", "up", "down", "home", "end", "insert", "delete", "pageup", "pagedown",
        *(f"f{n}" for n in range(1, 36)),
        # Characters by name (textual.keys._character_to_key)
        "ampersand", "apostrophe", "asterisk", "at", "backslash", "circumflex_accent", "colon",
        "comma", "dollar_sign", "equals_sign", "exclamation_mark", "full_stop", "grave_accent",
        "greater_than_sign", "left_curly_bracket", "left_parenthesis", "left_square_bracket",
        "less_than_sign", "minus", "number_sign", "percent_sign", "plus", "question_mark",
        "quotation_mark", "right_curly_bracket", "right_parenthesis", "right_square_bracket",
        "semicolon", "slash", "tilde", "underscore", "vertical_line",
        # Kitty keyboard protocol only (textual._keyboard_protocol.FUNCTIONAL_KEYS)
        "caps_lock", "scroll_lock", "num_lock", "print_screen", "pause", "menu", "kp_begin",
        "decimal", "divide", "multiply", "subtract", "add", "equal", "separator",
        "media_play", "media_pause", "media_play_pause", "media_reverse", "media_stop",
        "media_fast_forward", "media_rewind", "media_track_next", "media_track_previous",
        "media_record", "lower_volume", "raise_volume", "mute_volume",
        "left_shift", "left_control", "left_alt", "left_super", "left_hyper", "left_meta",
        "right_shift", "right_control", "right_alt", "right_super", "right_hyper", "right_meta",
        "iso_level3_shift", "iso_level5_shift",
    }
)  # fmt: skip

# textual.keys.KEY_NAME_REPLACEMENTS: Unicode names replaced by the common terms.
_KEY_NAME_REPLACEMENTS = {
    "solidus": "slash",
    "reverse_solidus": "backslash",
    "commercial_at": "at",
    "hyphen_minus": "minus",
    "plus_sign": "plus",
    "low_line": "underscore",
}

# Base keys that only arrive through the kitty keyboard protocol.
KITTY_ONLY_BASES = frozenset(
    {
        "caps_lock", "scroll_lock", "num_lock", "print_screen", "pause", "menu", "kp_begin",
        "decimal", "divide", "multiply", "subtract", "add", "equal", "separator",
        "lower_volume", "raise_volume", "mute_volume", "iso_level3_shift", "iso_level5_shift",
        *(f"f{n}" for n in range(25, 36)),
        *(f"media_{name}" for name in (
            "play", "pause", "play_pause", "reverse", "stop", "fast_forward", "rewind",
            "track_next", "track_previous", "record",
        )),
        *(f"{side}_{mod}" for side in ("left", "right")
          for mod in ("shift", "control", "alt", "super", "hyper", "meta")),
    }
)  # fmt: skip

# Keys a legacy terminal sends as the same byte as another key.
LEGACY_SAME_AS = {
    "ctrl+m": "enter",
    "ctrl+h": "backspace",
    "ctrl+i": "tab",
    "ctrl+left_square_bracket": "escape",
    "ctrl+space": "ctrl+@",
}
# Keys Textual matches as one (`textual.keys.KEY_ALIASES`): two ids on these clash.
SAME_KEY = {"ctrl+i": "tab", "ctrl+m": "enter", "ctrl+at": "ctrl+space"}

MODIFIER_HINTS = {
    "control": "ctrl",
    "ctl": "ctrl",
    "option": "alt",
    "opt": "alt",
    "cmd": "super",
    "command": "super",
    "win": "super",
}
MODIFIER_DISPLAY = {
    "ctrl": "Ctrl",
    "shift": "Shift",
    "alt": "Alt",
    "meta": "Meta",
    "super": "Super",
    "hyper": "Hyper",
}
BASE_DISPLAY = {
    "enter": "Enter",
    "return": "Return",
    "escape": "Esc",
    "tab": "Tab",
    "space": "Space",
    "backspace": "Backspace",
    "delete": "Del",
    "insert": "Ins",
    "home": "Home",
    "end": "End",
    "pageup": "PgUp",
    "pagedown": "PgDn",
    "up": "↑",
    "down": "↓",
    "left": "←",
    "right": "→",
}


def character_to_key(character: str) -> str:
    """Textual's name for a single character (mirrors `textual.keys._character_to_key`)."""
    if character.isalnum():
        key = character
    else:
        try:
            key = unicodedata.name(character).lower().replace("-", "_").replace(" ", "_")
        except ValueError:
            key = "tab" if character == "\t" else character
    return _KEY_NAME_REPLACEMENTS.get(key, key)


#: Symbols from Miscellaneous Technical (U+2300) on are dingbats, pictographs, box drawing,
#: emoji and the like: no keyboard layout types them, though Unicode names them ("banana").
_FIRST_PICTOGRAPH = 0x2300


def on_a_keyboard(character: str) -> bool:
    """True for a character some keyboard layout types: a letter or digit of any script,
    punctuation, a currency sign, or a symbol before the pictographic blocks (``£ § ° ¬ ∑``)."""
    category = unicodedata.category(character)
    return (
        character.isalnum()
        or category.startswith("P")
        or category == "Sc"
        or (category.startswith("S") and ord(character) < _FIRST_PICTOGRAPH)
    )


def named_character(name: str) -> str | None:
    """The printable character Textual calls `name` (``pound_sign`` -> ``£``), or None."""
    try:
        character = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return None
    if character.isprintable() and character_to_key(character) == name:
        return character
    return None


def keyboard_character_name(name: str) -> bool:
    """True for Textual's name of a character a keyboard types (``pound_sign``, not ``banana``)."""
    character = named_character(name)
    return character is not None and on_a_keyboard(character)


NAME_TO_CHARACTER = {
    character_to_key(chr(code)): chr(code) for code in range(0x21, 0x7F) if not chr(code).isalnum()
}
