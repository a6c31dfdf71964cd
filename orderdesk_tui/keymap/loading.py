"""Loading the keymap: the shipped defaults, the user's overrides, and the checks between them
(unknown ids, unparsable keys, conflicts per scope, keys legacy terminals cannot send)."""

from __future__ import annotations

import itertools
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from orderdesk_tui.errors import ConfigError
from orderdesk_tui.keymap.key_specs import (
    format_key,
    legacy_problem,
    parse_key_spec,
    same_key,
    suggest,
)
from orderdesk_tui.keymap.problems import KeymapProblem

APP_SCOPE = "app"
"""Bindings in this scope apply on every screen."""


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
            by_key.setdefault(same_key(key), []).append((binding_id, key))
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
            hint = suggest(binding_id, keymap.scopes)
            if not hint and entry.table and "." not in binding_id:
                hint = suggest(f"{entry.table}.{binding_id}", keymap.scopes)
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
                hint = suggest(entry.table, scope_names)
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
