"""What screens/textual_private.py takes from Textual's internals still holds (else upgrading
Textual must revisit that module)."""

from textual import events

from screens.textual_private import event_time


def test_event_time_is_the_clock_events_are_stamped_with() -> None:
    before = event_time()
    key = events.Key("a", "a")
    after = event_time()
    assert before <= key.time <= after
