"""Key bindings: defaults, user overrides and their validation (orderdesk_tui.keymap package)."""

import subprocess
import sys
from pathlib import Path

import pytest

from orderdesk_tui.errors import ConfigError
from orderdesk_tui.keymap.key_names import TEXTUAL_KEY_NAMES, character_to_key
from orderdesk_tui.keymap.key_specs import format_key, legacy_problem, parse_key_spec
from orderdesk_tui.keymap.loading import Keymap, load_keymap
from orderdesk_tui.keymap.problems import KeymapProblem, format_problems

REPO = Path(__file__).resolve().parents[1]

DEFAULTS = """\
# test defaults
[app]
"app.quit" = "ctrl+q"
"app.palette" = "ctrl+p"
"app.help" = "f1"

[orders]
"orders.open" = "enter"
"orders.search" = "slash,f2"
"orders.refresh" = "f5"

[order_view]
"order.release_hold" = "f6"
"order.add_note" = "f9"
"order.back" = "f3,escape"
"""


@pytest.fixture
def defaults(tmp_path: Path) -> Path:
    path = tmp_path / "defaults" / "bindings.toml"
    path.parent.mkdir()
    path.write_text(DEFAULTS, encoding="utf-8")
    return path


def user_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bindings.toml"
    path.write_text(text, encoding="utf-8")
    return path


def errors(keymap: Keymap) -> list[KeymapProblem]:
    return [p for p in keymap.problems if p.severity == "error"]


def warnings(keymap: Keymap) -> list[KeymapProblem]:
    return [p for p in keymap.problems if p.severity == "warning"]


# --------------------------------------------------------------------------- defaults only


def test_defaults_alone(defaults: Path) -> None:
    keymap = load_keymap(defaults, None)
    assert keymap.problems == []
    assert keymap.overrides == {}
    assert keymap.keys_for("orders.search") == "slash,f2"
    assert keymap.scopes["order.release_hold"] == "order_view"
    assert keymap.ids_in_scope("orders") == ["orders.open", "orders.search", "orders.refresh"]
    assert keymap.ids_in_scope("app") == ["app.quit", "app.palette", "app.help"]
    assert keymap.key_display("app.quit") == "Ctrl+Q"
    assert keymap.key_display("order.add_note") == "F9"
    assert keymap.key_display("orders.open") == "Enter"
    assert keymap.key_display("orders.search") == "/"


def test_missing_user_file_gives_no_problems(defaults: Path, tmp_path: Path) -> None:
    keymap = load_keymap(defaults, tmp_path / "nope.toml")
    assert keymap.problems == []
    assert keymap.overrides == {}


def test_empty_user_file_gives_no_problems(defaults: Path, tmp_path: Path) -> None:
    keymap = load_keymap(defaults, user_file(tmp_path, "# nothing yet\n"))
    assert keymap.problems == []
    assert keymap.overrides == {}


# --------------------------------------------------------------------------- overrides


def test_override_in_scope_table_replaces_all_default_keys(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '[orders]\n"orders.search" = "f4"\n')
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.overrides == {"orders.search": "f4"}
    assert keymap.keys_for("orders.search") == "f4"  # slash is gone too
    assert keymap.keys_for("orders.open") == "enter"
    assert keymap.defaults["orders.search"] == "slash,f2"


def test_top_level_override_takes_scope_from_defaults(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"order.release_hold" = "f7, ctrl+r"\n')
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.overrides == {"order.release_hold": "f7,ctrl+r"}
    assert keymap.key_display("order.release_hold") == "F7"


def test_unquoted_dotted_id_is_understood(defaults: Path, tmp_path: Path) -> None:
    # TOML turns an unquoted  order.add_note = ...  into a nested table
    user = user_file(tmp_path, 'order.add_note = "f11"\napp.help = "f12"\n')
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.overrides == {"order.add_note": "f11", "app.help": "f12"}


def test_override_is_normalised_for_textual(defaults: Path, tmp_path: Path) -> None:
    # Textual's set_keymap() does not strip, rename "/" or reorder modifiers itself
    user = user_file(tmp_path, '"orders.search" = " / , shift+ctrl+f "\n')
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.overrides == {"orders.search": "slash,ctrl+shift+f"}


def test_swapping_two_keys_is_not_a_conflict(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"order.release_hold" = "f9"\n"order.add_note" = "f6"\n')
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.overrides == {"order.release_hold": "f9", "order.add_note": "f6"}


def test_same_key_in_different_screen_scopes_is_fine(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"order.add_note" = "f5"\n')  # f5 is orders.refresh
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.keys_for("order.add_note") == "f5"


# --------------------------------------------------------------------------- unknown ids, bad keys


def test_unknown_id_suggests_and_gives_line(defaults: Path, tmp_path: Path) -> None:
    user = user_file(
        tmp_path,
        '# my keys\n\n[order_view]\n"order.relase_hold" = "f7"\n"order.add_note" = "f8"\n',
    )
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "error"
    assert problem.file == str(user)
    assert problem.line == 4
    assert problem.binding_id == "order.relase_hold"
    assert "did you mean 'order.release_hold'?" in problem.message
    assert str(problem).startswith(f"{user}:4: order.relase_hold: unknown binding id")
    # the bad entry is ignored, the good one applies
    assert keymap.overrides == {"order.add_note": "f8"}
    assert keymap.keys_for("order.release_hold") == "f6"


def test_bad_key_is_named_and_override_ignored(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"app.quit" = "f10"\n"orders.open" = "ctrl+shft+o,f4"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "error"
    assert (problem.line, problem.binding_id) == (2, "orders.open")
    assert "'ctrl+shft+o'" in problem.message
    assert "'shft'" in problem.message and "did you mean 'shift'?" in problem.message
    assert keymap.keys_for("orders.open") == "enter"
    assert keymap.overrides == {"app.quit": "f10"}


@pytest.mark.parametrize(
    ("spec", "named"),
    [
        ("F9", "'F9'"),  # key names are lower case
        ("Enter", "'Enter'"),
        ("ctrl+", "'ctrl+'"),
        ("ctrl+ctrl+x", "'ctrl'"),
        ("hyperr+x", "'hyperr'"),
        ("pgup", "'pgup'"),
        ("ctrl+Q", "'ctrl+Q'"),
        ("f2,,f3", "stray comma"),
        ("", "no key"),
        # Unicode names of characters no keyboard has (emoji, pictographs, dingbats)
        ("banana", "'banana'"),
        ("ctrl+shift+alt+banana", "'banana'"),
        ("snowman", "'snowman'"),
        ("\N{BANANA}", "'\N{BANANA}'"),
        ("alt+\N{BLACK STAR}", "'\N{BLACK STAR}'"),
        ("place_of_interest_sign", "'place_of_interest_sign'"),  # the Mac's command sign
    ],
)
def test_unparsable_keys(spec: str, named: str) -> None:
    _keys, bad = parse_key_spec(spec)
    assert bad, spec
    assert named in bad[0]


def test_key_no_keyboard_has_is_refused_and_default_stays(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"app.help" = "f12"\n\n"order.add_note" = "ctrl+shift+alt+banana"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert (problem.severity, problem.file, problem.line) == ("error", str(user), 3)
    assert problem.binding_id == "order.add_note"
    assert "unknown key name 'banana'" in problem.message
    assert "\N{BANANA}" in problem.message and "no keyboard" in problem.message
    assert keymap.keys_for("order.add_note") == "f9"
    assert keymap.overrides == {"app.help": "f12"}


def test_non_string_value_is_an_error(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"app.help" = 112\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert (problem.severity, problem.line, problem.binding_id) == ("error", 1, "app.help")
    assert keymap.overrides == {}


@pytest.mark.parametrize(
    ("spec", "keys"),
    [
        ("f1", ["f1"]),
        ("slash,f2", ["slash", "f2"]),
        ("?", ["question_mark"]),
        ("question_mark", ["question_mark"]),
        ("ctrl+shift+up", ["ctrl+shift+up"]),
        ("shift+ctrl+up", ["ctrl+shift+up"]),
        ("alt+shift+x", ["alt+shift+x"]),
        ("j,down", ["j", "down"]),
        ("J", ["J"]),
        ("plus,minus", ["plus", "minus"]),
        ("ctrl+left_square_bracket", ["ctrl+left_square_bracket"]),
        ("ctrl+[", ["ctrl+left_square_bracket"]),
        ("space", ["space"]),
        ("f5,f5", ["f5"]),
        ("pageup,delete,insert,f24", ["pageup", "delete", "insert", "f24"]),
        # characters of keyboard layouts, by name or as typed
        ("pound_sign,\N{EURO SIGN},section_sign", ["pound_sign", "euro_sign", "section_sign"]),
        ("\N{LATIN SMALL LETTER E WITH ACUTE},\N{CYRILLIC SMALL LETTER ZHE}", ["\xe9", "\u0436"]),
        ("alt+\N{DEGREE SIGN},\N{NOT SIGN}", ["alt+degree_sign", "not_sign"]),
    ],
)
def test_parsable_keys(spec: str, keys: list[str]) -> None:
    assert parse_key_spec(spec) == (keys, [])


# --------------------------------------------------------------------------- conflicts


def test_conflict_with_scope_local_id(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '[orders]\n"orders.refresh" = "f4"\n"orders.open" = "f2"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "error"
    assert (problem.file, problem.line, problem.binding_id) == (str(user), 3, "orders.open")
    assert "'f2'" in problem.message
    assert "'orders.search'" in problem.message
    assert "[orders]" in problem.message
    assert str(problem).startswith(f"{user}:3: orders.open: ")
    # orders.open's override is dropped; the unrelated override of orders.refresh applies
    assert keymap.overrides == {"orders.refresh": "f4"}
    assert keymap.keys_for("orders.open") == "enter"


def test_conflict_with_app_id_keeps_both_defaults(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"order.add_note" = "ctrl+p"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "error"
    assert (problem.line, problem.binding_id) == (1, "order.add_note")
    assert "'app.palette'" in problem.message
    assert "[order_view]" in problem.message
    assert keymap.overrides == {}
    assert keymap.keys_for("order.add_note") == "f9"
    assert keymap.keys_for("app.palette") == "ctrl+p"


def test_conflict_when_app_id_moves_onto_a_screen_key(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '[app]\n"app.help" = "f6"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert (problem.line, problem.binding_id) == (2, "app.help")
    assert "'order.release_hold'" in problem.message
    assert keymap.overrides == {}


def test_two_overrides_on_one_key_are_reported_once(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"orders.open" = "f11"\n"orders.refresh" = "f11"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert (problem.line, problem.binding_id) == (1, "orders.open")
    assert "'orders.refresh'" in problem.message and "line 2" in problem.message
    assert keymap.overrides == {}
    assert keymap.keys_for("orders.open") == "enter"
    assert keymap.keys_for("orders.refresh") == "f5"


def test_conflict_through_a_textual_key_alias(defaults: Path, tmp_path: Path) -> None:
    # Textual matches an Enter key event against bindings on enter and on ctrl+m
    user = user_file(tmp_path, '"orders.refresh" = "ctrl+m"\n')
    keymap = load_keymap(defaults, user)
    [problem] = errors(keymap)
    assert "'orders.open'" in problem.message
    assert keymap.overrides == {}


def test_dropping_an_override_can_drop_another(defaults: Path, tmp_path: Path) -> None:
    # refresh -> f2 clashes with search and is dropped; refresh is back on f5, which
    # open -> f5 now clashes with, so that override goes too
    user = user_file(tmp_path, '"orders.open" = "f5"\n"orders.refresh" = "f2"\n')
    keymap = load_keymap(defaults, user)
    assert keymap.overrides == {}
    assert keymap.keys_for("orders.open") == "enter"
    assert keymap.keys_for("orders.search") == "slash,f2"
    assert keymap.keys_for("orders.refresh") == "f5"
    assert sorted((p.line, p.binding_id) for p in keymap.problems) == [
        (1, "orders.open"),
        (2, "orders.refresh"),
    ]


def test_key_aliases_follow_textual() -> None:
    from textual.keys import KEY_ALIASES

    from orderdesk_tui.keymap.key_specs import same_key

    for key, aliases in KEY_ALIASES.items():
        for alias in aliases:
            if parse_key_spec(alias)[1] or parse_key_spec(key)[1]:
                continue  # a name Textual never sends (e.g. "newline")
            assert same_key(alias) == same_key(key), (key, alias)


def test_misplaced_and_repeated_ids_warn(defaults: Path, tmp_path: Path) -> None:
    user = user_file(
        tmp_path, '"orders.open" = "f4"\n[app]\n"order.add_note" = "f11"\n[orders]\nopen = "o"\n'
    )
    keymap = load_keymap(defaults, user)
    assert [(p.severity, p.line, p.binding_id) for p in keymap.problems] == [
        ("warning", 3, "order.add_note"),
        ("warning", 5, "orders.open"),
    ]
    assert keymap.overrides == {"orders.open": "o", "order.add_note": "f11"}


# --------------------------------------------------------------------------- legacy terminals


@pytest.mark.parametrize(
    "key",
    [
        "ctrl+m",
        "ctrl+h",
        "ctrl+i",
        "ctrl+[",
        "ctrl+enter",
        "shift+enter",
        "alt+enter",
        "ctrl+tab",
        "ctrl+shift+s",
    ],
)
def test_legacy_key_alone_warns_but_is_kept(defaults: Path, tmp_path: Path, key: str) -> None:
    user = user_file(tmp_path, f'[order_view]\n"order.add_note" = "{key}"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "warning"
    assert (problem.line, problem.binding_id) == (2, "order.add_note")
    assert "order.add_note" in keymap.overrides


def test_legacy_key_with_an_alternative_does_not_warn(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '"order.add_note" = "ctrl+enter,ctrl+j"\n')
    keymap = load_keymap(defaults, user)
    assert keymap.problems == []
    assert keymap.overrides == {"order.add_note": "ctrl+enter,ctrl+j"}


@pytest.mark.parametrize("key", ["f9", "ctrl+a", "shift+tab", "enter", "escape", "alt+x", "Q"])
def test_keys_every_terminal_sends(key: str) -> None:
    [canonical], _ = parse_key_spec(key)
    assert legacy_problem(canonical) is None


# --------------------------------------------------------------------------- corrupt files


def test_corrupt_user_toml_is_one_problem_and_defaults_stay(defaults: Path, tmp_path: Path) -> None:
    user = user_file(tmp_path, '[orders]\n"orders.open" = "f4"\n"orders.search" = \n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "error"
    assert problem.file == str(user)
    assert problem.line == 3
    assert "TOML" in problem.message
    assert keymap.overrides == {}
    assert keymap.keys_for("orders.open") == "enter"


def test_user_file_that_is_not_utf8(defaults: Path, tmp_path: Path) -> None:
    user = tmp_path / "bindings.toml"
    user.write_bytes(b'"app.help" = "\xff"\n')
    keymap = load_keymap(defaults, user)
    [problem] = keymap.problems
    assert problem.severity == "error"
    assert keymap.overrides == {}


def test_corrupt_defaults_raise(tmp_path: Path) -> None:
    path = user_file(tmp_path, "[app\n")
    with pytest.raises(ConfigError, match=r"bindings\.toml"):
        load_keymap(path, None)


def test_missing_defaults_raise(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.toml"):
        load_keymap(tmp_path / "nope.toml", None)


def test_conflicting_defaults_raise(tmp_path: Path) -> None:
    path = user_file(tmp_path, '[app]\n"app.quit" = "f1"\n[orders]\n"orders.open" = "f1"\n')
    with pytest.raises(ConfigError) as info:
        load_keymap(path, None)
    text = str(info.value)
    assert str(path) in text and "app.quit" in text and "orders.open" in text


def test_bad_default_key_raises(tmp_path: Path) -> None:
    path = user_file(tmp_path, '[app]\n"app.quit" = "ctrl+qq"\n')
    with pytest.raises(ConfigError, match=r"ctrl\+qq"):
        load_keymap(path, None)


def test_default_outside_a_scope_table_raises(tmp_path: Path) -> None:
    path = user_file(tmp_path, '"app.quit" = "ctrl+q"\n')
    with pytest.raises(ConfigError, match="scope table"):
        load_keymap(path, None)


# --------------------------------------------------------------------------- formatting


def test_problem_formatting() -> None:
    problem = KeymapProblem("b.toml", 3, "orders.open", "bad key 'x+'", "error")
    assert str(problem) == "b.toml:3: orders.open: bad key 'x+'"
    assert format_problems([problem]) == ["error: b.toml:3: orders.open: bad key 'x+'"]
    whole_file = KeymapProblem("b.toml", None, "", "not valid TOML", "error")
    assert str(whole_file) == "b.toml: not valid TOML"


@pytest.mark.parametrize(
    ("key", "shown"),
    [
        ("f9", "F9"),
        ("ctrl+q", "Ctrl+Q"),
        ("enter", "Enter"),
        ("escape", "Esc"),
        ("ctrl+shift+up", "Ctrl+Shift+↑"),
        ("question_mark", "?"),
        ("slash", "/"),
        ("j", "j"),
        ("pagedown", "PgDn"),
    ],
)
def test_format_key(key: str, shown: str) -> None:
    assert format_key(key) == shown


# --------------------------------------------------------------------------- the real files


def test_shipped_bindings_have_no_problems() -> None:
    path = REPO / "bindings.toml"
    if not path.exists():
        pytest.skip("bindings.toml is not written yet")
    keymap = load_keymap(path, None)
    assert format_problems(keymap.problems) == []
    assert keymap.defaults


def test_keymap_module_does_not_import_textual() -> None:
    code = (
        "import sys, orderdesk_tui.keymap.loading\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


# --------------------------------------------------------------------------- drift vs Textual


def test_key_names_match_textual() -> None:
    from textual._keyboard_protocol import FUNCTIONAL_KEYS
    from textual.keys import Keys
    from textual.keys import _character_to_key as textual_character_to_key

    textual_names = {k.value.split("+")[-1] for k in Keys if not k.value.startswith("<")}
    textual_names.discard("ctrl-at")  # an alias spelled with "-", not a key name
    textual_names = {n for n in textual_names if len(n) > 1}
    textual_names |= {v for v in FUNCTIONAL_KEYS.values() if len(v) > 1}
    textual_names |= {
        name for c in map(chr, range(0x20, 0x7F)) if len(name := textual_character_to_key(c)) > 1
    }
    # every name we accept is one Textual produces, and none of Textual's is missing
    assert textual_names - TEXTUAL_KEY_NAMES == set()
    assert TEXTUAL_KEY_NAMES - textual_names == set()
    common = {"enter", "escape", "tab", "space", "backspace", "delete", "insert", "home", "end"}
    common |= {"pageup", "pagedown", "up", "down", "left", "right", "question_mark", "plus"}
    common |= {"minus", "slash", "full_stop", "comma"} | {f"f{n}" for n in range(1, 25)}
    assert common <= TEXTUAL_KEY_NAMES


def test_character_names_match_textual() -> None:
    from textual.keys import _character_to_key as textual_character_to_key

    for code in [*range(0x20, 0x7F), *range(0xA1, 0x180), 0x20AC, 0x2191]:
        c = chr(code)
        assert character_to_key(c) == textual_character_to_key(c), repr(c)


def test_canonical_keys_match_textual_bindings() -> None:
    """Our normalised keys are what Textual's own Binding expansion produces."""
    from textual.binding import Binding

    for spec in ["slash,f5", "?", "j,down", "ctrl+q", "f1", "plus"]:
        keys, bad = parse_key_spec(spec)
        assert not bad
        expanded = [b.key for b in Binding.make_bindings([Binding(spec, "noop")])]
        assert keys == expanded
