"""Our customers in Tryton: a customer is a `party.party` with `code` = our customer code; an
address is a `party.address`, found again through a `party.identifier` (no type) whose code is
our address code.

`push_customer` creates the party (found by `code`, inactive ones included) or writes its name
and `active`, and keeps one tax identifier (`party.identifier` of the type mapped from our tax
id kind); `push_address` writes the address found through its identifier (creating it, and the
party, when missing). Deactivation is `active: false`; an inactive customer or address Tryton
never had is not created. A customer and an address are created once, so a retry after a lost
answer finds them.
"""

import logging
from typing import Any

from orderdesk_tui.erp.connector import (
    AddressPayload,
    CustomerPayload,
    PermanentErpError,
    PostalAddress,
)
from orderdesk_tui.erp.tryton.rest import TrytonRest

log = logging.getLogger(__name__)

#: Our tax id kinds -> Tryton's `party.identifier` types (Tryton checks the number again).
TAX_ID_TYPES = {"EIN": "us_ein", "VAT": "eu_vat", "BN": "ca_bn", "RFC": "mx_rfc"}


class PartyMaster(TrytonRest):
    """Parties and their addresses: found, created and written (see the module docstring)."""

    async def _party(self, code: str, name: str) -> int:
        """The party of our customer `code`, created (named `name`) when Tryton has none."""
        if (cached := self._party_cache.get(code)) is not None:
            return cached
        async with self._lock(("party", code)):
            if (cached := self._party_cache.get(code)) is not None:
                return cached
            party_id = await self._find_party(code)
            if party_id is None:
                party_id = await self._create_party({"code": code, "name": name})
            self._party_cache.put(code, party_id)
            return party_id

    async def _create_party(self, values: dict[str, Any]) -> int:
        party_id: int | None
        try:
            party_id = (await self._call("POST", "party.party", body=values))["id"]
        except PermanentErpError:
            # created meanwhile by someone else (the code is unique): use theirs
            party_id = await self._find_party(values["code"])
            if party_id is None:
                raise
        log.info("tryton: created party %s for customer %s", party_id, values["code"])
        return party_id

    async def _find_party(self, code: str) -> int | None:
        rows = await self._search(
            "party.party", [["code", "=", code]], ["id"], context={"active_test": False}
        )
        return rows[0]["id"] if rows else None

    async def _address(self, party_id: int, address: PostalAddress, *, invoice: bool) -> int:
        key = (party_id, address.code)
        if (cached := self._address_cache.get(key)) is not None:
            return cached
        async with self._lock(("address", party_id)):
            if (cached := self._address_cache.get(key)) is not None:
                return cached
            found = await self._find_address(party_id, address.code)
            if found is not None:
                address_id = found
            else:
                values = await self._address_values(address, invoice=invoice)
                # An address left without its identifier by an interrupted earlier attempt is
                # taken again rather than duplicated.
                fields = ["party_name", "street", "city", "postal_code", "identifiers"]
                same = [
                    r["id"]
                    for r in await self._search("party.address", [["party", "=", party_id]], fields)
                    if not r["identifiers"] and all(r[f] == values[f] for f in fields[:-1])
                ]
                if same:
                    address_id = same[0]
                else:
                    values["party"] = party_id
                    address_id = (await self._call("POST", "party.address", body=values))["id"]
                    log.info("tryton: created address %s of party %s", address_id, party_id)
                # Not nested in the address: Tryton restricts an address's own identifiers
                # to a few official types, while a party's identifier may point at an address.
                await self._call(
                    "POST",
                    "party.identifier",
                    body={"party": party_id, "address": address_id, "code": address.code},
                )
            self._address_cache.put(key, address_id)
            return address_id

    async def _find_address(self, party_id: int, code: str) -> int | None:
        rows = await self._search(
            "party.identifier",
            [["party", "=", party_id], ["code", "=", code], ["address", "!=", None]],
            ["address"],
        )
        return rows[0]["address"] if rows else None

    async def _recode_address(self, party_id: int, old: str, new: str) -> int | None:
        """The address known by our `old` code, now identified by `new` (renamed here)."""
        rows = await self._search(
            "party.identifier",
            [["party", "=", party_id], ["code", "=", old], ["address", "!=", None]],
            ["address"],
        )
        if not rows:
            return None
        await self._call("PUT", f"party.identifier/{rows[0]['id']}", body={"code": new})
        self._address_cache.drop((party_id, old))
        address_id: int = rows[0]["address"]
        return address_id

    async def _address_values(self, address: PostalAddress, *, invoice: bool) -> dict[str, Any]:
        country = await self._ref("country.country", address.country) if address.country else None
        subdivision = None
        if country is not None and address.region:
            code = f"{address.country}-{address.region}"
            subdivision = await self._ref("country.subdivision", code)
        return {
            "party_name": address.name,
            "street": address.street,
            "city": address.city,
            "postal_code": address.postal_code,
            "country": country,
            "subdivision": subdivision,
            "invoice": invoice,
            "delivery": not invoice,
        }

    async def _default_address(self, party_id: int, *, invoice: bool) -> int:
        flag = "invoice" if invoice else "delivery"
        rows = await self._search(
            "party.address", [["party", "=", party_id]], [flag], order=[["id", "ASC"]]
        )
        if not rows:
            raise PermanentErpError(
                "the customer has no address in Tryton and the order gives none"
            )
        flagged = [r for r in rows if r.get(flag)]
        address_id: int = (flagged or rows)[0]["id"]
        return address_id

    async def push_customer(self, customer: CustomerPayload) -> None:
        async with self._lock(("party", customer.code)):
            party_id = await self._find_party(customer.code)
            values: dict[str, Any]
            if party_id is None:
                if not customer.active:
                    return  # never reached Tryton: nothing to deactivate
                values = {"code": customer.code, "name": customer.name}
                party_id = await self._create_party(values)
            else:
                values = {"active": customer.active}
                if customer.name:  # a deleted customer is only deactivated
                    values["name"] = customer.name
                await self._call("PUT", f"party.party/{party_id}", body=values)
            self._party_cache.put(customer.code, party_id)
        if customer.name:
            await self._tax_identifier(party_id, customer)

    async def _tax_identifier(self, party_id: int, customer: CustomerPayload) -> None:
        """Keep the party's one tax identifier as our tax id (removed when ours is blank)."""
        rows = await self._search(
            "party.identifier",
            [["party", "=", party_id], ["type", "in", sorted(set(TAX_ID_TYPES.values()))]],
            ["type", "code"],
        )
        kind = TAX_ID_TYPES.get(customer.tax_id_type.upper())
        wanted = (kind, customer.tax_id) if customer.tax_id and kind else None
        for row in rows:
            if wanted is not None and (row["type"], row["code"]) == wanted:
                wanted = None
            else:
                await self._call("DELETE", f"party.identifier/{row['id']}")
        if wanted is not None:
            await self._call(
                "POST",
                "party.identifier",
                body={"party": party_id, "type": wanted[0], "code": wanted[1]},
            )

    async def push_address(self, address: AddressPayload) -> None:
        owner = address.customer
        party_id = await self._find_party(owner.code)
        if party_id is None and not (address.active and owner.active):
            return  # nothing to deactivate, or a party Tryton should not get
        if party_id is None:
            party_id = await self._party(owner.code, owner.name)
        postal = address.address
        found = await self._find_address(party_id, postal.code)
        if found is None and address.previous_code:
            found = await self._recode_address(party_id, address.previous_code, postal.code)
        if found is None:
            if address.active:
                await self._address(party_id, postal, invoice=address.invoice)
            return
        values = await self._address_values(postal, invoice=address.invoice)
        values["active"] = address.active
        await self._call("PUT", f"party.address/{found}", body=values)
        if not address.active:
            self._address_cache.drop((party_id, postal.code))
