"""Changing a `processing` sale (confirmed and processed: shipment and draft invoice exist)
through one `sale.amendment` (module sale_amendment), created with a line per difference and
validated (its `validate_amendment` button): per sale line (matched by sequence = our line
number, then product) product, unit, quantity, unit price, description; the party and
addresses; the payment term. Validating deletes the sale's draft moves and draft invoice lines
and processes the sale again, which makes them anew.

An amendment cannot add or delete a line: a line we dropped goes to quantity 0, a new line is a
PermanentErpError, as are a changed customer PO, currency or requested date, a changed line
with a move past draft (packed, shipped, done), and any change while a shipment is assigned or
picked (its draft outgoing moves would be deleted). Only the difference is amended, so a retry
after a lost answer amends nothing, and a draft amendment a stopped attempt left is deleted
first.
"""

import logging
from decimal import Decimal
from typing import Any

from orderdesk_tui.erp.connector import PermanentErpError
from orderdesk_tui.erp.tryton.codec import plain_decimal
from orderdesk_tui.erp.tryton.rest import ErpAuthError, TrytonRest

log = logging.getLogger(__name__)

#: Shipment states in which the warehouse is preparing the goods while the outgoing moves are
#: still drafts: an amendment would delete those moves from under it.
PREPARING_STATES = ("assigned", "picked")
#: What an amendment needs to read of a processing sale.
AMEND_READ = (
    "number",
    "description",
    "currency",
    "shipping_date",
    "comment",
    "party",
    "invoice_address",
    "shipment_address",
    "payment_term",
    *(f"lines.{f}" for f in ("type", "sequence", "product", "unit", "quantity", "unit_price")),
    *(f"lines.{f}" for f in ("description", "moves_ignored", "moves_recreated", "moves.state")),
    "shipments.number",
    "shipments.state",
    "shipments.moves",
)


class SaleAmendments(TrytonRest):
    """Sends an amendment plan (`amendment_plan`) as one validated `sale.amendment`."""

    async def _apply_amendment(
        self, sale_id: int, number: str, reference: str, plan: list[tuple[str, dict[str, Any]]]
    ) -> None:
        marker = f"orderdesk change of {reference}"
        # A draft an attempt left when it stopped before validating: validated later in
        # Tryton it would bring back the values it holds.
        stale = await self._search(
            "sale.amendment",
            [["sale", "=", sale_id], ["state", "=", "draft"], ["description", "=", marker]],
            ["id"],
        )
        for row in stale:
            await self._call("DELETE", f"sale.amendment/{row['id']}")
        what = ", ".join(subject for subject, _ in plan)
        lines = [values for _, values in plan]
        try:
            body = {"sale": sale_id, "description": marker, "lines": [["create", lines]]}
            amendment = await self._call("POST", "sale.amendment", body=body)
            await self._call("POST", f"sale.amendment/{amendment['id']}/validate_amendment")
        except ErpAuthError:
            raise
        except PermanentErpError as exc:
            raise PermanentErpError(
                f"Tryton sale {number} refused the amendment of {what}: {exc}"
            ) from None
        log.info("tryton: amended sale %s (%s)", number, what)


def amendment_plan(
    number: str, sale: dict[str, Any], values: dict[str, Any]
) -> list[tuple[str, dict[str, Any]]]:
    """The `sale.amendment.line`s (what each changes, its values) that make the processing
    `sale` (read with AMEND_READ) what `values` (from `SaleOrders._sale_values`) say. Our lines
    are matched to the sale's by sequence (= our line number), preferring the same product; a
    sale line we no longer have goes to quantity 0 (an amendment can neither delete nor add a
    line). Raises PermanentErpError, before anything is sent, for a changed customer PO,
    currency or requested date, for a new line, for a changed line with goods past a draft
    move, and for any change while a shipment is being prepared."""
    fixed = [
        name
        for name, field_name in (("customer PO", "description"), ("currency", "currency"))
        if (values[field_name] or None) != (sale[field_name] or None)
    ]
    if values["shipping_date"] is not None and values["shipping_date"] != sale["shipping_date"]:
        fixed.append("requested date")
    if fixed:
        raise PermanentErpError(
            f"Tryton sale {number} is processing: its {' and '.join(fixed)} can no longer "
            "be changed from orderdesk (lines, addresses, payment terms and notes can); "
            "change it in Tryton"
        )
    plan: list[tuple[str, dict[str, Any]]] = []
    parties = ("party", "invoice_address", "shipment_address")
    if any(values[f] != sale[f] for f in parties):
        plan.append(("the addresses", {"action": "party", **{f: values[f] for f in parties}}))
    if "payment_term" in values and values["payment_term"] != sale["payment_term"]:
        term = {"action": "payment_term", "payment_term": values["payment_term"]}
        plan.append(("the payment term", term))
    free = [line for line in sale["lines"] if line["type"] == "line"]
    wanted: list[tuple[dict[str, Any], dict[str, Any]]] = []
    new: list[str] = []
    for ours in values["lines"]:
        same_no = [line for line in free if line["sequence"] == ours["sequence"]]
        if not same_no:
            new.append(str(ours["sequence"]))
            continue
        match = next((x for x in same_no if x["product"] == ours["product"]), same_no[0])
        free.remove(match)
        wanted.append((match, ours))
    if new:
        raise PermanentErpError(
            f"Tryton sale {number} is processing: line {', '.join(new)} is new, and Tryton "
            "cannot add a line to a processed sale; enter it on a new order"
        )
    wanted += [(line, {**line, "quantity": 0}) for line in free]
    shipment_of = {m: s for s in sale["shipments"] for m in s["moves"]}
    for line, target in wanted:
        if not _line_differs(line, target):
            continue
        skip = set(line["moves_ignored"]) | set(line["moves_recreated"])
        for move in line["moves"]:
            if move["id"] in skip or move["state"] in ("draft", "staging", "cancelled"):
                continue
            shipment = shipment_of.get(move["id"])
            where = f" (shipment {shipment['number']} is {shipment['state']})" if shipment else ""
            raise PermanentErpError(
                f"Tryton sale {number} line {line['sequence']}: its goods are already "
                f"{move['state']}{where}, so the line can no longer be changed from orderdesk; "
                "change it in Tryton"
            )
        fields = ("product", "unit", "quantity", "unit_price", "description")
        amended = {"action": "line", "line": line["id"], **{f: target[f] for f in fields}}
        plan.append((f"line {line['sequence']}", amended))
    preparing = [s for s in sale["shipments"] if s["state"] in PREPARING_STATES]
    if plan and preparing:
        # Validating any amendment deletes the sale's draft moves, these shipments' too.
        shipment = preparing[0]
        raise PermanentErpError(
            f"Tryton sale {number}: shipment {shipment['number']} is {shipment['state']} in "
            "the warehouse, and amending the sale would take its moves away; finish or reset "
            "the shipment in Tryton, then retry"
        )
    return plan


def _line_differs(line: dict[str, Any], target: dict[str, Any]) -> bool:
    return (
        line["product"] != target["product"]
        or line["unit"] != target["unit"]
        or plain_decimal(line["quantity"]) != Decimal(target["quantity"])
        or line["unit_price"] != target["unit_price"]
        or (line.get("description") or None) != (target.get("description") or None)
    )
