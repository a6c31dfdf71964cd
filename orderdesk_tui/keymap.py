"""Key bindings: the shipped defaults, the user's overrides, and their validation.

`bindings.toml` holds one table per scope (``[app]`` bindings apply on every screen) mapping a
namespaced binding id to a key spec: one or more Textual key names separated by commas
(``"slash,f5"``). The user's file of the same name uses the same shape, and may also list ids
at the top level (ids are unique across scopes, so the scope comes from the defaults). An
override replaces all default keys of its id.

Textual does not validate a keymap (unknown ids and misspelled keys are silently accepted, and
a stolen key silently drops the other binding), so this module does it before
``App.set_keymap()``: unknown ids, keys that do not parse (and characters no keyboard has,
such as ``banana``: Unicode names it and Textual would bind it), conflicts per scope (app bindings
count in every scope) and keys that legacy terminals cannot send. Bad user entries are
reported and ignored, so the defaults stay in force for them; a bad *defaults* file is a
programming error and raises :class:`~orderdesk_tui.errors.ConfigError`.

Headless on purpose: no ``textual`` or ``rich`` import (a test checks ``sys.modules``). The key
names Textual understands are therefore embedded below, and a test compares them with
``textual.keys`` so that the list cannot drift silently.
"""

from __future__ import annotations

import difflib
import itertools
import re
import tomllib
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from orderdesk_tui.errors import ConfigError

APP_SCOPE = "app"
"""Bindings in this scope apply on every screen."""

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
_KITTY_ONLY_BASES = frozenset(
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
_LEGACY_SAME_AS = {
    "ctrl+m": "enter",
    "ctrl+h": "backspace",
    "ctrl+i": "tab",
    "ctrl+left_square_bracket": "escape",
    "ctrl+space": "ctrl+@",
}
# Keys Textual matches as one (`textual.keys.KEY_ALIASES`): two ids on these clash.
_SAME_KEY = {"ctrl+i": "tab", "ctrl+m": "enter", "ctrl+at": "ctrl+space"}

_MODIFIER_HINTS = {
    "control": "ctrl",
    "ctl": "ctrl",
    "option": "alt",
    "opt": "alt",
    "cmd": "super",
    "command": "super",
    "win": "super",
}
_MODIFIER_DISPLAY = {
    "ctrl": "Ctrl",
    "shift": "Shift",
    "alt": "Alt",
    "meta": "Meta",
    "super": "Super",
    "hyper": "Hyper",
}
_BASE_DISPLAY = {
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


def _character_to_key(character: str) -> str:
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


def _on_a_keyboard(character: str) -> bool:
    """True for a character some keyboard layout types: a letter or digit of any script,
    punctuation, a currency sign, or a symbol before the pictographic blocks (``£ § ° ¬ ∑``)."""
    category = unicodedata.category(character)
    return (
        character.isalnum()
        or category.startswith("P")
        or category == "Sc"
        or (category.startswith("S") and ord(character) < _FIRST_PICTOGRAPH)
    )


def _named_character(name: str) -> str | None:
    """The printable character Textual calls `name` (``pound_sign`` -> ``£``), or None."""
    try:
        character = unicodedata.lookup(name.replace("_", " "))
    except KeyError:
        return None
    if character.isprintable() and _character_to_key(character) == name:
        return character
    return None


def _keyboard_character_name(name: str) -> bool:
    """True for Textual's name of a character a keyboard types (``pound_sign``, not ``banana``)."""
    character = _named_character(name)
    return character is not None and _on_a_keyboard(character)


_NAME_TO_CHARACTER = {
    _character_to_key(chr(code)): chr(code) for code in range(0x21, 0x7F) if not chr(code).isalnum()
}


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True)
class KeymapProblem:
    """One thing wrong with a bindings file, reported as one line."""

    file: str
    line: int | None
    binding_id: str
    message: str
    severity: Literal["error", "warning"]

    def __str__(self) -> str:
        # "{file}:{line}: {binding_id}: {message}"; a missing line or id is left out.
        parts = [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.binding_id:
            parts.append(self.binding_id)
        parts.append(self.message)
        return ": ".join(parts)


def format_problems(problems: Iterable[KeymapProblem]) -> list[str]:
    """One line per problem, prefixed with its severity: ``"error: file:3: id: message"``."""
    return [f"{problem.severity}: {problem}" for problem in problems]


# --------------------------------------------------------------------------- key specs


class _BadKey(ValueError):
    """A key in a spec does not parse; the message names the key."""


def _suggest(word: str, choices: Iterable[str]) -> str:
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
            hint = _MODIFIER_HINTS.get(modifier.lower())
            if hint is None and modifier.lower() in MODIFIERS:
                hint = modifier.lower()
            suggestion = f" (did you mean {hint!r}?)" if hint else _suggest(modifier, MODIFIERS)
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
        if not _on_a_keyboard(base):
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
            base = _character_to_key(base)
    elif base not in TEXTUAL_KEY_NAMES and not _keyboard_character_name(base):
        named = _named_character(base)
        if named is not None:
            suggestion = f" (it names the character {named!r}, which no keyboard has)"
        elif base.lower() in TEXTUAL_KEY_NAMES:
            suggestion = f" (key names are lower case: {base.lower()!r})"
        else:
            suggestion = _suggest(base.lower(), TEXTUAL_KEY_NAMES)
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
    if key in _LEGACY_SAME_AS:
        return f"arrives as {format_key(_LEGACY_SAME_AS[key])} on most terminals"
    modifiers, base = _split(key)
    mods = set(modifiers)
    single = len(base) == 1 and base.isalnum()
    if (
        mods & {"super", "hyper"}
        or base in _KITTY_ONLY_BASES
        or (mods and base in ("enter", "escape", "backspace", "space"))
        or (base == "tab" and mods and mods != {"shift"})
        or ({"ctrl", "shift"} <= mods and single)
        or (mods == {"ctrl"} and single and base.isdigit())
    ):
        return "needs the kitty keyboard protocol; most terminals cannot send it"
    return None


def _same_key(key: str) -> str:
    return _SAME_KEY.get(key, key)


def format_key(key: str) -> str:
    """A canonical key as people write it: ``F9``, ``Ctrl+Q``, ``Enter``, ``/``."""
    modifiers, base = _split(key)
    if re.fullmatch(r"f\d+", base):
        shown = base.upper()
    elif base in _BASE_DISPLAY:
        shown = _BASE_DISPLAY[base]
    elif base in _NAME_TO_CHARACTER:
        shown = _NAME_TO_CHARACTER[base]
    elif len(base) == 1:
        shown = base.upper() if modifiers else base
    else:
        shown = base.replace("_", " ").title()
    order = list(_MODIFIER_DISPLAY)
    names = [_MODIFIER_DISPLAY[m] for m in sorted(modifiers, key=order.index)]
    return "+".join([*names, shown])


# --------------------------------------------------------------------------- the keymap


@dataclass
class Keymap:
    """Default keys, the valid user overrides, and what was wrong with the rest.

    Key specs here are canonical (``"slash,f5"``), so they can go straight into a Textual
    ``Binding`` or ``App.set_keymap(keymap.overrides)``.
    """

    defaults: dict[str, str]
    scopes: dict[str, str]
    overrides: dict[str, str] = field(default_factory=dict)
    problems: list[KeymapProblem] = field(default_factory=list)

    def keys_for(self, binding_id: str) -> str:
        """The effective key spec of a binding; KeyError for an id not in the defaults."""
        return self.overrides.get(binding_id) or self.defaults[binding_id]

    def key_display(self, binding_id: str) -> str:
        """The first effective key of a binding, as people write it (``F9``, ``Ctrl+Q``)."""
        return format_key(self.keys_for(binding_id).split(",")[0])

    def ids_in_scope(self, scope: str) -> list[str]:
        """The ids whose table is `scope` (app bindings only for ``"app"``), in file order."""
        return [binding_id for binding_id, s in self.scopes.items() if s == scope]

    @property
    def has_errors(self) -> bool:
        return any(problem.severity == "error" for problem in self.problems)


class _Lines:
    """Finds the line of a binding id in a TOML text (tomllib gives no positions)."""

    _HEADER = re.compile(r"""^\s*\[\s*("[^"]*"|'[^']*'|[^\]\s]+)\s*\]\s*(?:#.*)?$""")

    def __init__(self, text: str) -> None:
        self._rows: list[tuple[int, str | None, str]] = []
        table: str | None = None
        for number, line in enumerate(text.splitlines(), start=1):
            header = self._HEADER.match(line)
            if header:
                table = header.group(1).strip("\"'")
                continue
            self._rows.append((number, table, line))

    def find(self, binding_id: str, table: str | None) -> int | None:
        names = [binding_id]
        if table and binding_id.startswith(table + "."):
            names.append(binding_id[len(table) + 1 :])
        patterns = [
            re.compile(rf"""^\s*(?:"{re.escape(n)}"|'{re.escape(n)}'|{re.escape(n)})\s*=""")
            for n in names
        ]

        def in_table(wanted: str | None) -> int | None:
            for number, row_table, line in self._rows:
                if row_table == wanted and any(p.match(line) for p in patterns):
                    return number
            return None

        found = in_table(table) if table is not None else None
        if found is None:
            found = in_table(None)
        if found is None:
            found = next(
                (n for n, _, line in self._rows if any(p.match(line) for p in patterns)), None
            )
        return found


@dataclass
class _Entry:
    binding_id: str
    value: Any
    table: str | None
    line: int | None


def _flatten(table: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(dotted key, value) pairs; unquoted ``order.cancel = ...`` nests in TOML."""
    for key, value in table.items():
        if isinstance(value, dict):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", value


def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    """Text and data of a TOML file; OSError, UnicodeDecodeError or TOMLDecodeError."""
    text = path.read_bytes().decode("utf-8")
    return text, tomllib.loads(text)


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int | None:
    match = re.search(r"at line (\d+)", str(exc))
    return int(match.group(1)) if match else None


def _scope_label(scope_a: str, scope_b: str) -> str:
    if scope_a == scope_b:
        suffix = ", which applies on every screen" if scope_a == APP_SCOPE else ""
        return f"[{scope_a}]{suffix}"
    other = scope_b if scope_a == APP_SCOPE else scope_a
    return f"[{other}] (app bindings apply on every screen)"


def _conflicts(
    specs: dict[str, list[str]], scopes: dict[str, str]
) -> Iterator[tuple[str, str, str]]:
    """(key, id_a, id_b) for two ids on one key in one scope (app counts in every scope)."""
    by_key: dict[str, list[tuple[str, str]]] = {}
    for binding_id, keys in specs.items():
        for key in keys:
            by_key.setdefault(_same_key(key), []).append((binding_id, key))
    for holders in by_key.values():
        for (id_a, key_a), (id_b, _) in itertools.combinations(holders, 2):
            if id_a == id_b:
                continue
            scope_a, scope_b = scopes[id_a], scopes[id_b]
            if scope_a == scope_b or APP_SCOPE in (scope_a, scope_b):
                yield key_a, id_a, id_b


def _legacy_warning(keys: list[str]) -> str | None:
    """A warning when every key of a binding is one legacy terminals cannot send."""
    reasons = [(key, legacy_problem(key)) for key in keys]
    if not keys or any(reason is None for _, reason in reasons):
        return None
    said = "; ".join(f"{key!r} {reason}" for key, reason in reasons)
    return f"{said}; add a second key that every terminal can send, after a comma"


def _load_defaults(path: Path) -> tuple[Keymap, dict[str, list[str]]]:
    name = str(path)
    try:
        text, data = _read_toml(path)
    except OSError as exc:
        raise ConfigError(f"{name}: cannot read the default key bindings: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: the default key bindings are not UTF-8 text") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{name}: the default key bindings are not valid TOML: {exc}") from exc

    lines = _Lines(text)
    errors: list[str] = []
    defaults: dict[str, str] = {}
    scopes: dict[str, str] = {}
    keys_of: dict[str, list[str]] = {}
    line_of: dict[str, int | None] = {}
    for scope, table in data.items():
        if not isinstance(table, dict):
            line = lines.find(scope, None)
            errors.append(f"{name}:{line}: {scope}: a default binding must be in a scope table")
            continue
        for binding_id, spec in _flatten(table):
            line = lines.find(binding_id, scope)
            where = f"{name}:{line}: {binding_id}"
            if binding_id in scopes:
                errors.append(f"{where}: also defined in [{scopes[binding_id]}]")
                continue
            if not isinstance(spec, str):
                errors.append(f"{where}: the key spec must be a string, not {spec!r}")
                continue
            keys, bad = parse_key_spec(spec)
            if bad:
                errors.append(f"{where}: {'; '.join(bad)}")
                continue
            defaults[binding_id] = ",".join(keys)
            scopes[binding_id] = scope
            keys_of[binding_id] = keys
            line_of[binding_id] = line
    for key, id_a, id_b in _conflicts(keys_of, scopes):
        label = _scope_label(scopes[id_a], scopes[id_b])
        errors.append(
            f"{name}:{line_of[id_a]}: {id_a}: key {key!r} is also bound to {id_b!r} "
            f"(line {line_of[id_b]}) in {label}"
        )
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise ConfigError(f"bad default key bindings: {errors[0]}{more}")

    keymap = Keymap(defaults=defaults, scopes=scopes)
    for binding_id, keys in keys_of.items():
        warning = _legacy_warning(keys)
        if warning:
            keymap.problems.append(
                KeymapProblem(name, line_of[binding_id], binding_id, warning, "warning")
            )
    return keymap, keys_of


def _user_entries(data: dict[str, Any], scopes: dict[str, str], lines: _Lines) -> Iterator[_Entry]:
    scope_names = set(scopes.values())
    for top_key, value in data.items():
        if not isinstance(value, dict):
            yield _Entry(top_key, value, None, lines.find(top_key, None))
            continue
        for sub_key, sub_value in _flatten(value):
            if top_key in scope_names:
                # [orders] "orders.open" = ..., or unquoted  orders.open = ...  (nests)
                binding_id = sub_key
                if binding_id not in scopes and f"{top_key}.{sub_key}" in scopes:
                    binding_id = f"{top_key}.{sub_key}"
            elif "." in sub_key or sub_key in scopes:
                binding_id = sub_key  # a quoted id under an unknown table name
            else:
                binding_id = f"{top_key}.{sub_key}"  # unquoted  order.cancel = ...
            yield _Entry(binding_id, sub_value, top_key, lines.find(binding_id, top_key))


def load_keymap(defaults_path: Path, user_path: Path | None) -> Keymap:
    """The defaults with the user's valid overrides applied, and the problems found.

    Never raises for bad user content (it is reported in `Keymap.problems` and the defaults
    stay in force for it); raises ConfigError for a bad defaults file.
    """
    keymap, default_keys = _load_defaults(defaults_path)
    if user_path is None or not user_path.exists():
        return keymap

    name = str(user_path)

    def problem(
        binding_id: str,
        line: int | None,
        message: str,
        severity: Literal["error", "warning"] = "error",
    ) -> None:
        keymap.problems.append(KeymapProblem(name, line, binding_id, message, severity))

    try:
        text, data = _read_toml(user_path)
    except OSError as exc:
        problem("", None, f"cannot read the key bindings ({exc.strerror}); using the defaults")
        return keymap
    except UnicodeDecodeError:
        problem("", None, "the key bindings are not UTF-8 text; using the defaults")
        return keymap
    except tomllib.TOMLDecodeError as exc:
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        problem("", _toml_error_line(exc), f"not valid TOML ({message}); using the defaults")
        return keymap

    lines = _Lines(text)
    scope_names = set(keymap.scopes.values())
    candidates: dict[str, tuple[list[str], int | None]] = {}
    first_line: dict[str, int | None] = {}
    warned_tables: set[str] = set()
    for entry in _user_entries(data, keymap.scopes, lines):
        binding_id, line = entry.binding_id, entry.line
        if binding_id not in keymap.scopes:
            hint = _suggest(binding_id, keymap.scopes)
            if not hint and entry.table and "." not in binding_id:
                hint = _suggest(f"{entry.table}.{binding_id}", keymap.scopes)
            problem(binding_id, line, f"unknown binding id{hint}; ignored")
            continue
        default = keymap.defaults[binding_id]
        if not isinstance(entry.value, str):
            problem(
                binding_id,
                line,
                f'the keys must be a string such as "f2" or "slash,f5", not '
                f"{entry.value!r}; the default {default!r} stays",
            )
            continue
        keys, bad = parse_key_spec(entry.value)
        if bad:
            problem(binding_id, line, f"{'; '.join(bad)}; the default {default!r} stays")
            continue
        scope = keymap.scopes[binding_id]
        if entry.table is not None and entry.table != scope:
            if entry.table in scope_names:
                problem(
                    binding_id,
                    line,
                    f"belongs to [{scope}], not [{entry.table}]; applied anyway",
                    "warning",
                )
            elif entry.table not in warned_tables and not binding_id.startswith(f"{entry.table}."):
                warned_tables.add(entry.table)
                hint = _suggest(entry.table, scope_names)
                problem(
                    binding_id,
                    line,
                    f"[{entry.table}] is not a scope{hint}; the id is applied anyway",
                    "warning",
                )
        if binding_id in candidates:
            problem(
                binding_id,
                line,
                f"also set on line {first_line[binding_id]}; this later value is used",
                "warning",
            )
        else:
            first_line[binding_id] = line
        candidates[binding_id] = (keys, line)

    # Conflicts: drop the overrides that cause them (both ids keep their defaults), again
    # until none is left; dropping only restores defaults, which never conflict.
    active = dict(candidates)
    reported: set[frozenset[str]] = set()
    while True:
        effective = {
            binding_id: active[binding_id][0] if binding_id in active else keys
            for binding_id, keys in default_keys.items()
        }
        found = [
            (key, id_a, id_b)
            for key, id_a, id_b in _conflicts(effective, keymap.scopes)
            if id_a in active or id_b in active
        ]
        if not found:
            break
        for key, id_a, id_b in found:
            culprits = sorted(
                (i for i in (id_a, id_b) if i in active),
                key=lambda i: (active[i][1] or 0, i),
            )
            if not culprits:  # both already dropped for an earlier clash: resolved
                continue
            pair = frozenset((id_a, id_b))
            if pair not in reported:
                reported.add(pair)
                label = _scope_label(keymap.scopes[id_a], keymap.scopes[id_b])
                first = culprits[0]
                other = id_b if first == id_a else id_a
                if len(culprits) == 2:
                    message = (
                        f"key {key!r} is also given to {other!r} (line {active[other][1]}) "
                        f"in {label}; both overrides ignored, both keep their defaults"
                    )
                else:
                    message = (
                        f"key {key!r} is already bound to {other!r} in {label}; override "
                        f"ignored, both keep their defaults"
                    )
                problem(first, active[first][1], message)
            for culprit in culprits:
                active.pop(culprit, None)

    for binding_id, (keys, line) in active.items():
        warning = _legacy_warning(keys)
        if warning:
            problem(binding_id, line, warning, "warning")
        keymap.overrides[binding_id] = ",".join(keys)

    keymap.problems.sort(key=lambda p: (p.file != str(defaults_path), p.file, p.line or 0))
    return keymap
