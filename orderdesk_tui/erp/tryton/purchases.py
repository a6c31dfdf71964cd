"""Our POs in Tryton: a PO is a `purchase.purchase` with `description` = our PO number (Tryton's
`reference` is the supplier's: the vendor's acknowledgement reference goes there), the vendor a
`party.party` whose code is `V-` and the vendor's name (created when missing), placed in the
warehouse of our PO's code (the default warehouse for a drop ship, whose customer ship-to is
written in the purchase's `comment`: Tryton's drop-shipment module is not used), lines with
the `product.product` whose code is our part number, quantity, unit and unit cost.

A PO the vendor has not acknowledged is a quotation; its lines are rewritten on each push (it is
reset to draft, written, quoted again). The vendor's acknowledgement confirms it. A confirmed
purchase's lines are not rewritten (our PO takes no new lines once acknowledged); a PO whose
lines are all cancelled cancels a purchase not yet confirmed. Receipts stay in orderdesk (no
`stock.shipment.in` is made). The purchase is found by our number first, so a repeat after a
lost answer updates the purchase it created.
"""

import logging
from typing import Any

from orderdesk_tui.erp.connector import (
    ErpOrderRef,
    PermanentErpError,
    PurchaseLinePayload,
    PurchasePayload,
)
from orderdesk_tui.erp.tryton.parties import PartyMaster

log = logging.getLogger(__name__)

MODEL = "purchase.purchase"
#: Purchase states whose lines can still be rewritten.
OPEN_STATES = ("draft", "quotation")


class PurchaseOrders(PartyMaster):
    """Purchases pushed, found, confirmed and cancelled (see the module docstring)."""

    async def _purchase_products(
        self, lines: tuple[PurchaseLinePayload, ...]
    ) -> dict[str, tuple[int, int]]:
        """Part number -> (product id, purchase unit id); unknown parts: PermanentErpError."""
        wanted = sorted({line.part_number for line in lines})
        rows = await self._search(
            "product.product",
            [["code", "in", wanted], ["purchasable", "=", True]],
            ["code", "purchase_uom"],
        )
        found = {row["code"]: (row["id"], row["purchase_uom"]) for row in rows}
        missing = [line for line in lines if line.part_number not in found]
        if missing:
            listed = ", ".join(f"{m.part_number!r} (line {m.line_no})" for m in missing)
            raise PermanentErpError(f"Tryton has no purchasable product with code {listed}")
        return found

    async def _vendor_address(self, party_id: int) -> int:
        """The vendor's first address; a vendor we created has none yet: an empty one (Tryton
        wants an invoice address on a quoted purchase)."""
        rows = await self._search(
            "party.address", [["party", "=", party_id]], ["id"], order=[["id", "ASC"]]
        )
        if rows:
            return int(rows[0]["id"])
        created = await self._call("POST", "party.address", body={"party": party_id})
        return int(created["id"])

    async def _purchase_values(self, purchase: PurchasePayload) -> dict[str, Any]:
        party_id = await self._party(purchase.vendor_code, purchase.vendor_name)
        warehouses = await self.warehouses()
        warehouse = warehouses.get(purchase.warehouse_code) or await self._default_warehouse()
        currency = await self._ref("currency.currency", purchase.currency)
        if currency is None:
            raise PermanentErpError(f"Tryton has no currency {purchase.currency}")
        products = await self._purchase_products(purchase.lines)
        comment = purchase.notes
        if purchase.ship_to is not None:
            to = purchase.ship_to
            where = ", ".join(
                p for p in (to.name, to.street, to.city, to.region, to.postal_code, to.country) if p
            )
            comment = "\n".join(filter(None, [f"Drop ship to {to.code}: {where}", comment]))
        return {
            "party": party_id,
            "invoice_address": await self._vendor_address(party_id),
            "warehouse": warehouse,
            "currency": currency,
            "description": purchase.number,
            "reference": purchase.vendor_reference or None,
            "comment": comment or None,
            "lines": [
                {
                    "type": "line",
                    "sequence": line.line_no,
                    "product": products[line.part_number][0],
                    "unit": products[line.part_number][1],
                    "quantity": line.quantity,
                    "unit_price": line.unit_cost,
                    "description": line.description or None,
                }
                for line in purchase.lines
            ],
        }

    async def _purchase_action(self, purchase_id: int, action: str) -> dict[str, Any]:
        row: dict[str, Any] = await self._call(
            "POST", f"{MODEL}/{purchase_id}/{action}", params={"f": ["number", "state"]}
        )
        return row

    async def find_purchase(self, number: str) -> dict[str, Any] | None:
        """The live purchase pushed for our PO number (a cancelled one if none is live)."""
        rows = await self._search(
            MODEL,
            [["description", "=", number]],
            ["number", "state", "lines"],
            order=[["id", "ASC"]],
        )
        live = [r for r in rows if r["state"] != "cancelled"]
        chosen = live or rows
        return chosen[-1] if chosen else None

    async def push_purchase(self, purchase: PurchasePayload) -> ErpOrderRef:
        found = await self.find_purchase(purchase.number)
        live = found if found is not None and found["state"] != "cancelled" else None
        if purchase.cancelled:
            if live is None:  # nothing bought, nothing live in Tryton: nothing to do
                return _ref(found) if found is not None else ErpOrderRef("", "")
            return await self._cancel(int(live["id"]), live["state"], purchase.number)
        if live is None:
            values = await self._purchase_values(purchase)
            values["lines"] = [["create", values["lines"]]]
            created = await self._call("POST", MODEL, body=values, params={"f": ["state"]})
            log.info("tryton: purchase %s created for %s", created["id"], purchase.number)
            purchase_id = int(created["id"])
        elif live["state"] in OPEN_STATES:
            purchase_id = int(live["id"])
            if live["state"] == "quotation":
                await self._purchase_action(purchase_id, "draft")
            values = await self._purchase_values(purchase)
            values["lines"] = [["delete", live["lines"]], ["create", values["lines"]]]
            await self._call("PUT", f"{MODEL}/{purchase_id}", body=values)
        else:  # confirmed or further on: only the vendor's reference can still change
            if purchase.vendor_reference:
                body = {"reference": purchase.vendor_reference}
                await self._call("PUT", f"{MODEL}/{live['id']}", body=body)
            return _ref(live)
        row = await self._purchase_action(purchase_id, "quote")
        if purchase.confirmed:
            row = await self._purchase_action(purchase_id, "confirm")
        return ErpOrderRef(str(purchase_id), row.get("number") or "")

    async def _cancel(self, purchase_id: int, state: str, number: str) -> ErpOrderRef:
        if state in ("draft", "quotation"):
            row = await self._purchase_action(purchase_id, "cancel")
            return ErpOrderRef(str(purchase_id), row.get("number") or "")
        raise PermanentErpError(
            f"Tryton purchase for {number} is {state}: cancel what is left of it in Tryton"
        )


def _ref(row: dict[str, Any]) -> ErpOrderRef:
    return ErpOrderRef(str(row["id"]), row.get("number") or "")
