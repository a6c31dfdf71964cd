"""The one Textual internal the entry screens rely on, kept here so a Textual upgrade that
changes it breaks one import, and tests/test_textual_private.py says so.

`event_time` is the clock Textual stamps `events.Event.time` with (`textual._time.get_time`:
monotonic, perf_counter on Windows). A refusal closes the key gate (screens/entry_keys.py) at
`event_time()`, and the gate compares the keys' own `time` with it, so both must come from the
same clock; Textual has no public way to read it.
"""

from textual._time import get_time as event_time

__all__ = ["event_time"]
