"""The queue's filter line: `hold:credit cust:ACME >5000 rush -mine "late truck"`.

Terms (all must hold; `-` in front negates one):
  hold:KIND   an open hold of that kind (credit, price, stock, compliance, address, edi, erp, any)
  kind:WHAT   a reason: draft, hold, sla, backorder, rush, rma, callback, change
  cust:TEXT   customer code, or a word of its name, starting with TEXT
  tier:NAME   the customer's service tier
  sla:STATE   breached, soon (due within the warning time), ok, none
  by:USER     taken by USER
  >N >=N <N <=N   value compared with N (5000, 5,000, 5k, 1.5m)
  rush mine unassigned escalated snoozed   (snoozed items are hidden unless asked for)
  any other word or "quoted words": found in number, customer, reason, assignee or note.

A filter that does not parse raises FilterSyntaxError with the column (1-based) and what was
expected there, so the filter line can point at it and keep what was typed.
"""

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from orderdesk_tui.domain.money import to_decimal
from orderdesk_tui.domain.queue_items import QueueItem, ReasonKind
from orderdesk_tui.errors import OrderdeskError

HOLD_KINDS = ("credit", "price", "stock", "compliance", "address", "edi", "erp", "any")
SLA_STATES = ("breached", "soon", "ok", "none")
FLAGS = ("rush", "mine", "unassigned", "escalated", "snoozed")
FIELDS = ("hold", "kind", "cust", "tier", "sla", "by")
_AMOUNT = re.compile(r"^([0-9][0-9,]*(?:\.[0-9]+)?)([km]?)$", re.IGNORECASE)
_FIELD = re.compile(r"^([a-z]+):(.*)$", re.IGNORECASE | re.DOTALL)


class FilterSyntaxError(OrderdeskError):
    def __init__(self, column: int, expected: str) -> None:
        self.column = column
        self.expected = expected
        super().__init__(f"filter, column {column}: expected {expected}")


@dataclass(frozen=True)
class Context:
    """What a term needs besides the item: who is looking, and when."""

    user: str
    now: datetime
    warn_s: int


Test = Callable[[QueueItem, Context], bool]


@dataclass(frozen=True)
class Term:
    text: str
    column: int
    test: Test
    negated: bool = False

    def holds(self, item: QueueItem, ctx: Context) -> bool:
        return self.test(item, ctx) != self.negated


@dataclass(frozen=True)
class QueueFilter:
    text: str = ""
    terms: tuple[Term, ...] = ()

    @property
    def shows_snoozed(self) -> bool:
        return any(t.text == "snoozed" and not t.negated for t in self.terms)

    def select(self, items: list[QueueItem], ctx: Context) -> list[QueueItem]:
        """The items that match, in their order; snoozed ones only when the filter asks for
        them. Tens of thousands of items are filtered on each refresh: the per-filter work is
        done once, not per item."""
        if not self.shows_snoozed:
            now = ctx.now
            items = [i for i in items if i.snoozed_until is None or i.snoozed_until <= now]
        if not self.terms:
            return list(items)
        terms = self.terms
        return [i for i in items if all(term.holds(i, ctx) for term in terms)]


def _tokens(text: str) -> list[tuple[int, str, bool]]:
    """(column, token, quoted) for each whitespace-separated token; quotes group words."""
    out: list[tuple[int, str, bool]] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        buf: list[str] = []
        quoted = False
        while i < n and not text[i].isspace():
            if text[i] == '"':
                close = text.find('"', i + 1)
                if close < 0:
                    raise FilterSyntaxError(i + 1, 'a closing " for the quote opened here')
                buf.append(text[i + 1 : close])
                quoted = True
                i = close + 1
            else:
                buf.append(text[i])
                i += 1
        out.append((start + 1, "".join(buf), quoted))
    return out


def _amount(raw: str, column: int) -> Decimal:
    match = _AMOUNT.match(raw)
    value = to_decimal(match.group(1).replace(",", "")) if match else None
    if match is None or value is None:
        raise FilterSyntaxError(column, f"an amount (5000, 5k, 1.5m), not '{raw}'")
    scale = {"": 1, "k": 1000, "m": 1_000_000}[match.group(2).lower()]
    return value * scale


def _compare(token: str, column: int) -> Test:
    op = ">=" if token.startswith(">=") else "<=" if token.startswith("<=") else token[0]
    raw = token[len(op) :]
    if not raw:
        raise FilterSyntaxError(column + len(op), f"an amount after '{op}' (e.g. {op}5000)")
    limit = _amount(raw, column + len(op))
    compare: dict[str, Callable[[Decimal], bool]] = {
        ">": lambda v: v > limit,
        ">=": lambda v: v >= limit,
        "<": lambda v: v < limit,
        "<=": lambda v: v <= limit,
    }
    check = compare[op]
    return lambda item, _ctx: check(item.value)


def _one_of(value: str, choices: tuple[str, ...], what: str, column: int) -> str:
    lowered = value.lower()
    if lowered in choices:
        return lowered
    hint = difflib.get_close_matches(lowered, choices, n=1)
    tail = f" (did you mean '{hint[0]}'?)" if hint else ""
    found = f", not '{value}'" if value else ""
    raise FilterSyntaxError(column, f"{what}: {', '.join(choices)}{found}{tail}")


def _sla_test(state: str) -> Test:
    def test(item: QueueItem, ctx: Context) -> bool:
        sla = item.sla
        if state == "none":
            return sla is None
        if sla is None:
            return False
        if state == "breached":
            return sla.breached
        if state == "soon":
            return sla.due_within(ctx.warn_s)
        return sla.left_s > ctx.warn_s

    return test


def _customer_test(needle: str) -> Test:
    needle = needle.lower()

    def test(item: QueueItem, _ctx: Context) -> bool:
        if item.customer_code.lower().startswith(needle):
            return True
        name = item.customer_name.lower()
        return name.startswith(needle) or any(w.startswith(needle) for w in name.split())

    return test


def _field_term(key: str, value: str, column: int) -> Test:
    at = column + len(key) + 1  # where the value starts
    if key == "hold":
        kind = _one_of(value, HOLD_KINDS, "a hold kind", at)
        if kind == "any":
            return lambda item, _ctx: bool(item.holds)
        return lambda item, _ctx: kind in item.hold_kinds
    if key == "kind":
        what = _one_of(value, tuple(ReasonKind), "a reason", at)
        return lambda item, _ctx: any(r.kind == what for r in item.reasons)
    if key == "sla":
        return _sla_test(_one_of(value, SLA_STATES, "an SLA state", at))
    if not value:
        expected = {"cust": "a customer code or name", "tier": "a tier", "by": "a user name"}
        raise FilterSyntaxError(at, f"{expected[key]} after '{key}:'")
    if key == "cust":
        return _customer_test(value)
    lowered = value.lower()
    if key == "tier":
        return lambda item, _ctx: item.tier.lower() == lowered
    return lambda item, _ctx: item.assignee.lower() == lowered


def _flag(flag: str) -> Test:
    tests: dict[str, Test] = {
        "rush": lambda item, _ctx: item.rush,
        "mine": lambda item, ctx: item.assignee == ctx.user,
        "unassigned": lambda item, _ctx: not item.assignee,
        "escalated": lambda item, _ctx: item.escalated,
        "snoozed": lambda item, ctx: item.snoozed(ctx.now),
    }
    return tests[flag]


def _words(phrase: str) -> Test:
    lowered = phrase.lower()
    return lambda item, _ctx: lowered in item.search_text()


def parse_filter(text: str) -> QueueFilter:
    terms: list[Term] = []
    for column, token, quoted in _tokens(text):
        negated = token.startswith("-") and len(token) > 1 and not quoted
        body, at = (token[1:], column + 1) if negated else (token, column)
        test: Test
        if quoted and not _FIELD.match(body):
            test = _words(body)
        elif body[:1] in "<>":
            test = _compare(body, at)
        elif (match := _FIELD.match(body)) is not None:
            key = match.group(1).lower()
            if key not in FIELDS:
                hint = difflib.get_close_matches(key, FIELDS, n=1)
                tail = f" (did you mean '{hint[0]}:'?)" if hint else ""
                raise FilterSyntaxError(at, f"a field ({', '.join(f + ':' for f in FIELDS)}){tail}")
            test = _field_term(key, match.group(2), at)
        elif body.lower() in FLAGS:
            body = body.lower()
            test = _flag(body)
        else:
            test = _words(body)
        terms.append(Term(body, at, test, negated))
    return QueueFilter(text, tuple(terms))
