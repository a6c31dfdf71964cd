"""Errors that reach the user as one line, never as a traceback."""


class OrderdeskError(Exception):
    """A problem the user can act on; its message is shown as it is."""


class ConfigError(OrderdeskError):
    """The config file or an ORDERDESK_* variable holds a bad value."""


class StoreError(OrderdeskError):
    """The store cannot be opened, created or upgraded."""


class StaleEdit(OrderdeskError):
    """Someone else changed the record since it was read (optimistic concurrency)."""

    def __init__(self, entity: str, entity_id: int, expected: int, current: int | None) -> None:
        self.entity = entity
        self.entity_id = entity_id
        self.expected = expected
        self.current = current
        if current is None:
            text = f"{entity} {entity_id} no longer exists"
        else:
            text = (
                f"{entity} {entity_id} was changed by someone else "
                f"(you read version {expected}, it is now {current}); reload and apply again"
            )
        super().__init__(text)


class PermissionDenied(OrderdeskError):
    """The action needs a role the user does not have."""


class RuleViolation(OrderdeskError):
    """A business rule refused the change; the message names the rule."""


class FieldError(RuleViolation):
    """A value typed or received for one field breaks a rule; names both."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"{field}: {rule}")


class NeedsConfirmation(RuleViolation):
    """The change looks wrong (a suspected duplicate) but is allowed once the user confirms."""
