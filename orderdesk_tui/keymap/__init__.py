"""Key bindings: the shipped defaults, the user's overrides, and their validation.

`bindings.toml` holds one table per scope (``[app]`` bindings apply on every screen) mapping a
namespaced binding id to a key spec: one or more Textual key names separated by commas
(``"slash,f5"``). The user's file of the same name uses the same shape, and may also list ids
at the top level (ids are unique across scopes, so the scope comes from the defaults). An
override replaces all default keys of its id.

Textual does not validate a keymap (unknown ids and misspelled keys are silently accepted, and
a stolen key silently drops the other binding), so this package does it before
``App.set_keymap()``: unknown ids, keys that do not parse (and characters no keyboard has,
such as ``banana``: Unicode names it and Textual would bind it), conflicts per scope (app bindings
count in every scope) and keys that legacy terminals cannot send. Bad user entries are
reported and ignored, so the defaults stay in force for them; a bad *defaults* file is a
programming error and raises :class:`~orderdesk_tui.errors.ConfigError`.

Headless on purpose: no ``textual`` or ``rich`` import (a test checks ``sys.modules``). The key
names Textual understands are therefore embedded (`key_names`), and a test compares them with
``textual.keys`` so that the list cannot drift silently.

Modules: `key_names` (Textual's key names, keys terminals confuse, display names),
`key_specs` (parsing and showing a key spec, the legacy-terminal rule), `problems`
(KeymapProblem) and `loading` (Keymap and `load_keymap`: defaults, overrides, conflicts).
"""
