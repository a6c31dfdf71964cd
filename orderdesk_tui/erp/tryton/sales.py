"""Our orders in Tryton: an order is a `sale.sale` with `reference` = our order number,
`description` = the customer PO, `comment` = the notes, `shipping_date` = the requested date
(when not in the past), lines with `sequence` = our line number and `product` the
`product.product` whose `code` is our part number (inactive products are unknown), `quantity`
and `unit_price` sent as Decimals; placed in the default warehouse; quoted, then confirmed
(with no queue worker, Tryton processes the sale in the confirm request: shipment and draft
invoice exist when it returns, the sale is `processing`).

Idempotency: `push_order` first looks for a sale with our reference; one in `draft` or
`quotation` (an earlier attempt stopped half-way) is completed, one further on is returned as
is, so a retry never creates a second sale.

Changes: a sale can be changed while it is `draft`, `quotation` or `confirmed` (it is reset to
draft, rewritten, and brought back to the state it had); a `processing` one is amended (see
`amendments`), its comment written directly; a `done` one cannot be changed
(PermanentErpError).

Cancellations: a draft/quotation/confirmed sale uses Tryton's `cancel`; of a processed sale
the connector cancels its shipments and draft invoices, marks them ignored on the sale (what
Tryton's "handle exception" wizards do) and lets Tryton finish the sale: it ends `done` with
nothing shipped or invoiced, reported by `order_state` as "cancelled". A shipment already
shipped or an invoice already posted makes the cancel a PermanentErpError.
"""

import logging
from collections.abc import Sequence
from datetime import UTC, date
from typing import Any

from orderdesk_tui.erp.connector import (
    ErpOrderRef,
    ErpOrderState,
    OrderLinePayload,
    OrderPayload,
    PermanentErpError,
)
from orderdesk_tui.erp.tryton.amendments import AMEND_READ, SaleAmendments, amendment_plan
from orderdesk_tui.erp.tryton.cursor import latest_stamp
from orderdesk_tui.erp.tryton.parties import PartyMaster

log = logging.getLogger(__name__)

#: Sale states in which the connector may still rewrite a sale (a `processing` one is amended).
CHANGEABLE_STATES = ("draft", "quotation", "confirmed")


class SaleOrders(PartyMaster, SaleAmendments):
    """Sales pushed, found, changed, cancelled and read back (see the module docstring)."""

    async def _products(self, lines: Sequence[OrderLinePayload]) -> dict[str, tuple[int, int]]:
        """Part number -> (product id, sale unit id); unknown parts are a PermanentErpError."""
        found: dict[str, tuple[int, int]] = {}
        wanted = []
        for line in lines:
            if (cached := self._product_cache.get(line.part_number)) is not None:
                found[line.part_number] = cached
            elif line.part_number not in wanted:
                wanted.append(line.part_number)
        if wanted:
            rows = await self._search(
                "product.product", [["code", "in", wanted]], ["code", "sale_uom"]
            )
            for row in rows:
                value = (row["id"], row["sale_uom"])
                self._product_cache.put(row["code"], value)
                found[row["code"]] = value
        missing = [line for line in lines if line.part_number not in found]
        if missing:
            listed = ", ".join(f"{m.part_number!r} (line {m.line_no})" for m in missing)
            raise PermanentErpError(f"Tryton has no active product with code {listed}")
        return found

    async def _sale_values(self, order: OrderPayload) -> dict[str, Any]:
        party_id = await self._party(order.customer_code, order.customer_name)
        if order.bill_to is not None:
            invoice_address = await self._address(party_id, order.bill_to, invoice=True)
        else:
            invoice_address = await self._default_address(party_id, invoice=True)
        if order.ship_to is not None:
            shipment_address = await self._address(party_id, order.ship_to, invoice=False)
        else:
            shipment_address = await self._default_address(party_id, invoice=False)
        products = await self._products(order.lines)
        currency = await self._ref("currency.currency", order.currency)
        if currency is None:
            raise PermanentErpError(f"Tryton has no currency {order.currency}")
        values: dict[str, Any] = {
            "party": party_id,
            "invoice_address": invoice_address,
            "shipment_address": shipment_address,
            "warehouse": await self._default_warehouse(),
            "currency": currency,
            "reference": order.number,
            "description": order.customer_po or None,
            "comment": order.notes or None,
            "shipping_date": (
                order.requested_date
                if order.requested_date and order.requested_date >= date.today()
                else None
            ),
        }
        if order.payment_terms:
            term = await self._ref(
                "account.invoice.payment_term",
                order.payment_terms,
                [["name", "=", order.payment_terms]],
            )
            if term is not None:
                values["payment_term"] = term
        values["lines"] = [
            {
                "type": "line",
                "sequence": line.line_no,
                "product": products[line.part_number][0],
                "unit": products[line.part_number][1],
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "description": line.description or None,
            }
            for line in order.lines
        ]
        return values

    async def _sale(self, sale_id: int | str, fields: Sequence[str]) -> dict[str, Any]:
        sale: dict[str, Any] = await self._call(
            "GET", f"sale.sale/{int(sale_id)}", params={"f": list(fields)}
        )
        return sale

    async def _action(self, sale_id: int, action: str) -> dict[str, Any]:
        sale: dict[str, Any] = await self._call(
            "POST", f"sale.sale/{sale_id}/{action}", params={"f": ["number", "state"]}
        )
        return sale

    async def _advance(self, sale_id: int, state: str, target: str) -> dict[str, Any]:
        """Quote and (if `target` is confirmed) confirm a sale from `state`."""
        sale: dict[str, Any] = {"id": sale_id, "state": state}
        if state == "draft" and target in ("quotation", "confirmed"):
            sale = await self._action(sale_id, "quote")
        if sale["state"] == "quotation" and target == "confirmed":
            sale = await self._action(sale_id, "confirm")
        return sale

    async def _find_sales(self, reference: str) -> list[dict[str, Any]]:
        return await self._search(
            "sale.sale", [["reference", "=", reference]], ["number", "state"], order=[["id", "ASC"]]
        )

    @property
    def _unfinished(self) -> tuple[str, ...]:
        """States of a sale that a push left half-way (push_order finishes it)."""
        return ("draft", "quotation") if self._confirm else ("draft",)

    async def find_order(self, reference: str) -> ErpOrderRef | None:
        """The sale pushed for our order number, if a push got it through. A sale an
        interrupted push left in draft (or quotation) is not returned: the retry's push_order
        finishes it. A live sale is preferred to a cancelled one."""
        rows = [r for r in await self._find_sales(reference) if r["state"] not in self._unfinished]
        if not rows:
            return None
        live = [r for r in rows if r["state"] != "cancelled"]
        row = (live or rows)[-1]
        return ErpOrderRef(str(row["id"]), row.get("number") or "")

    async def push_order(self, order: OrderPayload) -> ErpOrderRef:
        if not order.lines:
            raise PermanentErpError(f"order {order.number} has no lines")
        target = "confirmed" if self._confirm else "quotation"
        live = [r for r in await self._find_sales(order.number) if r["state"] != "cancelled"]
        if live:  # an earlier attempt got this far: finish it rather than create a second
            existing = live[-1]
            log.info("tryton: sale %s for %s exists already", existing["id"], order.number)
            ref = ErpOrderRef(str(existing["id"]), existing.get("number") or "")
            if existing["state"] in self._unfinished:  # rewrite it from the current order
                return await self._rewrite(ref, order, target)
            return ref
        values = await self._sale_values(order)
        values["lines"] = [["create", values["lines"]]]
        created = await self._call("POST", "sale.sale", body=values, params={"f": ["state"]})
        sale = await self._advance(created["id"], created["state"], target)
        return ErpOrderRef(str(created["id"]), sale.get("number") or "")

    async def push_change(self, ref: ErpOrderRef, order: OrderPayload) -> ErpOrderRef:
        if not order.lines:
            raise PermanentErpError(f"order {order.number} has no lines")
        sale = await self._sale(ref.erp_id, ["state"])
        if sale["state"] == "processing":
            return await self._amend(int(ref.erp_id), order)
        return await self._rewrite(ref, order, None)

    async def _amend(self, sale_id: int, order: OrderPayload) -> ErpOrderRef:
        """Bring a processing sale to the order through one validated `sale.amendment`: only
        the difference between the sale and the order is amended, so a retry after a lost
        answer finds nothing left to do."""
        sale = await self._sale(sale_id, AMEND_READ)
        number = sale.get("number") or str(sale_id)
        values = await self._sale_values(order)
        plan = amendment_plan(number, sale, values)
        if plan:
            await self._apply_amendment(sale_id, number, order.number, plan)
        if (values["comment"] or None) != (sale.get("comment") or None):
            await self._call("PUT", f"sale.sale/{sale_id}", body={"comment": values["comment"]})
        return ErpOrderRef(str(sale_id), sale.get("number") or "")

    async def _rewrite(
        self, ref: ErpOrderRef, order: OrderPayload, target: str | None
    ) -> ErpOrderRef:
        """Reset the sale to draft, write the order over it, and bring it to `target` (None:
        back to the state it had)."""
        sale_id = int(ref.erp_id)
        sale = await self._sale(sale_id, ["number", "state", "lines"])
        state = sale["state"]
        if state not in CHANGEABLE_STATES:
            raise PermanentErpError(
                f"Tryton sale {sale.get('number') or sale_id} is {state}: it can no longer be "
                "changed from orderdesk; change it in Tryton"
            )
        values = await self._sale_values(order)
        if state != "draft":
            await self._action(sale_id, "draft")
        new_lines = values.pop("lines")
        values["lines"] = [["delete", sale["lines"]], ["create", new_lines]]
        await self._call("PUT", f"sale.sale/{sale_id}", body=values, params={"f": ["state"]})
        result = await self._advance(sale_id, "draft", target or state)
        return ErpOrderRef(str(sale_id), result.get("number") or sale.get("number") or "")

    async def push_cancel(self, ref: ErpOrderRef, reason: str) -> None:
        sale_id = int(ref.erp_id)
        fields = ["number", "state", "comment", "shipments.state", "invoices.state"]
        fields += ["lines.moves.state", "lines.moves_ignored", "invoices_ignored"]
        fields += ["shipment_returns.state"]
        sale = await self._sale(sale_id, fields)
        state, number = sale["state"], sale.get("number") or str(sale_id)
        if state == "cancelled" or _cancelled_after_processing(sale):
            return
        note = f"Cancelled from orderdesk: {reason}".strip()
        comment = sale.get("comment") or ""
        if note not in comment:
            comment = "\n".join(filter(None, [comment, note]))
        if state in CHANGEABLE_STATES:
            if state == "confirmed":
                await self._action(sale_id, "draft")
            await self._call("PUT", f"sale.sale/{sale_id}", body={"comment": comment})
            await self._action(sale_id, "cancel")
            return
        shipped = [s for s in sale["shipments"] if s["state"] in ("shipped", "done")]
        if shipped or sale.get("shipment_returns"):
            raise PermanentErpError(
                f"Tryton sale {number} has shipped goods: it cannot be cancelled; "
                "return the goods in Tryton"
            )
        posted = [
            i for i in sale["invoices"] if i["state"] not in ("draft", "validated", "cancelled")
        ]
        if posted:
            raise PermanentErpError(
                f"Tryton sale {number} is invoiced (invoice {posted[0]['state']}): it cannot "
                "be cancelled; credit the invoice in Tryton"
            )
        for shipment in sale["shipments"]:
            if shipment["state"] != "cancelled":
                await self._call("POST", f"stock.shipment.out/{shipment['id']}/cancel")
        for invoice in sale["invoices"]:
            if invoice["state"] != "cancelled":
                await self._call("POST", f"account.invoice/{invoice['id']}/cancel")
        # What Tryton's "handle shipment/invoice exception" wizards do: ignore what was
        # cancelled, so that processing the sale finishes it instead of flagging an exception.
        line_writes: list[Any] = []
        for line in sale["lines"]:
            ignored = set(line.get("moves_ignored") or [])
            moves = [m["id"] for m in line.get("moves") or [] if m["id"] not in ignored]
            if moves:
                line_writes.append(["write", [line["id"]], {"moves_ignored": [["add", moves]]}])
        invoices = [i["id"] for i in sale["invoices"] if i["id"] not in sale["invoices_ignored"]]
        values: dict[str, Any] = {"comment": comment}
        if line_writes:
            values["lines"] = line_writes
        if invoices:
            values["invoices_ignored"] = [["add", invoices]]
        await self._call("PUT", f"sale.sale/{sale_id}", body=values)
        await self._call("POST", f"sale.sale/{sale_id}/process")

    async def order_state(self, ref: ErpOrderRef) -> ErpOrderState:
        fields = ["number", "state", "write_date", "create_date", "shipments.state"]
        fields += ["invoices.state", "lines.moves.state"]
        sale = await self._sale(ref.erp_id, fields)
        state = "cancelled" if _cancelled_after_processing(sale) else sale["state"]
        changed = latest_stamp(sale.get("write_date"), sale.get("create_date")).replace(tzinfo=UTC)
        return ErpOrderState(
            ErpOrderRef(str(sale["id"]), sale.get("number") or ref.erp_number), state, changed
        )


def _cancelled_after_processing(sale: dict[str, Any]) -> bool:
    """A processed sale whose every move and invoice was cancelled (see push_cancel)."""
    if sale.get("state") != "done":
        return False
    moves = [m for line in sale.get("lines") or [] for m in line.get("moves") or []]
    invoices = sale.get("invoices") or []
    return (
        bool(moves)
        and all(m.get("state") == "cancelled" for m in moves)
        and all(i.get("state") == "cancelled" for i in invoices)
    )
