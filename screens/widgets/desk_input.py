"""An Input that applies its editing keys in the order they were typed.

Textual's Input inserts a printable key as soon as it reaches the widget, but Backspace,
Delete and the cursor keys are bindings, run only after the key has bubbled up to the app: in a
burst (a fast typist, a type-ahead buffer) `ab⌫xy` became `abx`, the Backspace deleting the
last character instead of the `b`. Here the Input's own bindings run when their key arrives.
"""

from textual import events
from textual.widgets import Input


class DeskInput(Input):
    async def _on_key(self, event: events.Key) -> None:
        active = self.screen.active_bindings.get(event.key)
        if active is not None and active.node is self:
            event.stop()
            event.prevent_default()
            await self.run_action(active.binding.action)
            return
        await super()._on_key(event)
