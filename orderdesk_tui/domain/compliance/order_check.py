"""The compliance check of one order: its parties screened, embargoed destinations, licences by
ECCN and destination, hazmat lines against the carrier and the shipping warehouse; any hit gives
the compliance hold and its reason."""

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from orderdesk_tui.domain.compliance.carriers import Carrier, CarrierTable
from orderdesk_tui.domain.compliance.denied_parties import DeniedPartyIndex
from orderdesk_tui.domain.compliance.export_controls import (
    ECCN_PATTERN,
    CountryChart,
    EccnControl,
)
from orderdesk_tui.domain.compliance.names import country_code
from orderdesk_tui.domain.compliance.screening import Party, PartyMatch, screen_party
from orderdesk_tui.domain.credit import clip_reason
from orderdesk_tui.errors import FieldError


@dataclass(frozen=True)
class ComplianceRules:
    """Reference data and settings the check runs on (loaded once by the service)."""

    denied: DeniedPartyIndex
    chart: CountryChart
    eccn_controls: Mapping[str, EccnControl]
    carriers: CarrierTable
    embargoed: frozenset[str]
    threshold: float = 88
    #: Where the desk exports from: shipments inside it need no export licence.
    export_from: str = "US"


@dataclass(frozen=True)
class OrderLine:
    line_no: int
    part_number: str
    eccn: str = "EAR99"
    hazmat_un_number: str = ""
    hazmat_class: str = ""
    warehouse_code: str = ""
    #: None while no warehouse is chosen for the line.
    warehouse_hazmat_capable: bool | None = None


@dataclass(frozen=True)
class LicenceCheck:
    line_no: int
    part_number: str
    eccn: str
    country: str
    #: the ECCN's reasons for control, and those marked X for the destination
    reasons: tuple[str, ...]
    controlled_for: tuple[str, ...]
    required: bool
    note: str = ""


@dataclass(frozen=True)
class HazmatLine:
    """What the documents (packing list, bill of lading) print for a dangerous-goods line."""

    line_no: int
    part_number: str
    un_number: str
    hazard_class: str
    warehouse_code: str = ""


class HitKind(StrEnum):
    DENIED_PARTY = "denied_party"
    EMBARGO = "embargo"
    LICENCE = "licence"
    CLASSIFICATION = "classification"
    HAZMAT_CARRIER = "hazmat_carrier"
    HAZMAT_WAREHOUSE = "hazmat_warehouse"


@dataclass(frozen=True)
class ComplianceHit:
    kind: HitKind
    text: str


@dataclass(frozen=True)
class ComplianceHold:
    reason: str
    kinds: tuple[HitKind, ...]
    kind: str = "compliance"


@dataclass(frozen=True)
class ComplianceResult:
    destination: str
    party_matches: tuple[PartyMatch, ...]
    licences: tuple[LicenceCheck, ...]
    hazmat_lines: tuple[HazmatLine, ...]
    carrier: Carrier | None
    hits: tuple[ComplianceHit, ...]
    hold: ComplianceHold | None

    @property
    def hazmat(self) -> bool:
        return bool(self.hazmat_lines)

    @property
    def holds(self) -> bool:
        return self.hold is not None


def normalize_un_number(value: str) -> str:
    """'1950', 'un 1950', 'UN1950' -> 'UN1950'; anything else as typed (upper-cased)."""
    v = value.strip().upper().replace(" ", "")
    if re.fullmatch(r"\d{4}", v):
        return "UN" + v
    return v


def _eccn_control(eccn: str, controls: Mapping[str, EccnControl]) -> EccnControl | None:
    found = controls.get(eccn)
    if found is not None:
        return found
    base = ECCN_PATTERN.match(eccn)
    return controls.get(base.group(1).upper()) if base else None


def _licences(
    lines: Sequence[OrderLine], destination: str, rules: ComplianceRules
) -> tuple[list[LicenceCheck], list[ComplianceHit]]:
    checks: list[LicenceCheck] = []
    hits: list[ComplianceHit] = []
    if destination == rules.export_from:
        return checks, hits
    for line in lines:
        eccn = line.eccn.strip().upper()
        where = f"line {line.line_no} {line.part_number}"
        if eccn == "EAR99":
            continue
        if not eccn:
            hits.append(ComplianceHit(HitKind.CLASSIFICATION, f"{where}: no ECCN, classify it"))
            continue
        control = _eccn_control(eccn, rules.eccn_controls)
        if control is None:
            hits.append(
                ComplianceHit(
                    HitKind.CLASSIFICATION, f"{where}: ECCN {eccn} is not in the controls table"
                )
            )
            continue
        controlled = rules.chart.controlled(destination, control.reasons)
        if controlled is None:
            checks.append(
                LicenceCheck(
                    line.line_no,
                    line.part_number,
                    eccn,
                    destination,
                    control.reasons,
                    (),
                    True,
                    "destination not in the country chart extract",
                )
            )
            hits.append(
                ComplianceHit(
                    HitKind.LICENCE,
                    f"{where}: ECCN {eccn} to {destination}, which the country chart extract "
                    "does not cover; determine the licence requirement",
                )
            )
            continue
        checks.append(
            LicenceCheck(
                line.line_no,
                line.part_number,
                eccn,
                destination,
                control.reasons,
                controlled,
                bool(controlled),
                "licence required" if controlled else "no licence required (NLR)",
            )
        )
        if controlled:
            hits.append(
                ComplianceHit(
                    HitKind.LICENCE,
                    f"{where}: ECCN {eccn} needs a licence for {destination} "
                    f"({', '.join(controlled)})",
                )
            )
    return checks, hits


def _hazmat(
    lines: Sequence[OrderLine], ship_via: str, carriers: CarrierTable
) -> tuple[list[HazmatLine], Carrier | None, list[ComplianceHit]]:
    hazmat = [
        HazmatLine(
            line.line_no,
            line.part_number,
            normalize_un_number(line.hazmat_un_number),
            line.hazmat_class.strip(),
            line.warehouse_code,
        )
        for line in lines
        if line.hazmat_un_number.strip()
    ]
    carrier = carriers.find(ship_via) if ship_via.strip() else None
    hits: list[ComplianceHit] = []
    if not hazmat:
        return hazmat, carrier, hits
    what = ", ".join(sorted({f"{h.un_number} class {h.hazard_class}" for h in hazmat}))
    if not ship_via.strip():
        hits.append(
            ComplianceHit(
                HitKind.HAZMAT_CARRIER,
                f"hazmat ({what}) and no carrier chosen: pick a hazmat-capable carrier",
            )
        )
    elif carrier is None:
        hits.append(
            ComplianceHit(
                HitKind.HAZMAT_CARRIER,
                f"hazmat ({what}) via '{ship_via.strip()}', which is not on the carrier list",
            )
        )
    elif not carrier.hazmat_capable:
        hits.append(
            ComplianceHit(
                HitKind.HAZMAT_CARRIER, f"hazmat ({what}) via {carrier.name}, which takes no hazmat"
            )
        )
    else:
        for h in hazmat:
            if h.hazard_class and carrier.refuses_class(h.hazard_class):
                hits.append(
                    ComplianceHit(
                        HitKind.HAZMAT_CARRIER,
                        f"line {h.line_no} {h.part_number}: {carrier.name} refuses class "
                        f"{h.hazard_class} ({h.un_number})",
                    )
                )
    by_line = {line.line_no: line for line in lines}
    for h in hazmat:
        line = by_line[h.line_no]
        if line.warehouse_hazmat_capable is False:
            hits.append(
                ComplianceHit(
                    HitKind.HAZMAT_WAREHOUSE,
                    f"line {h.line_no} {h.part_number} ({h.un_number}) ships from "
                    f"{line.warehouse_code or 'a warehouse'}, which is not hazmat-capable",
                )
            )
    return hazmat, carrier, hits


def check_order(
    parties: Sequence[Party],
    lines: Sequence[OrderLine],
    ship_via: str,
    rules: ComplianceRules,
) -> ComplianceResult:
    """Screen an order's parties, destination, lines and carrier.

    The destination is the ship-to party's country (else the first party's). Country codes
    that are not ISO 3166 raise FieldError naming the party's country field."""
    checked: list[Party] = []
    for party in parties:
        country = party.country.strip()
        if country or party.role == "ship_to":
            country = country_code(country, f"{party.role}.country")
        checked.append(replace(party, country=country))
    ship_to = next((p for p in checked if p.role == "ship_to"), None)
    dest_party = ship_to or next((p for p in checked if p.country), None)
    if dest_party is None:
        raise FieldError("ship_to.country", "no destination country: the order needs a ship-to")
    destination = dest_party.country

    hits: list[ComplianceHit] = []
    matches: list[PartyMatch] = []
    for party in checked:
        found = screen_party(party, rules.denied, rules.threshold)
        matches += found
        hits += [ComplianceHit(HitKind.DENIED_PARTY, m.reason) for m in found]
    for party in checked:
        if party.country and party.country in rules.embargoed:
            name = rules.chart.names.get(party.country) or party.country
            hits.append(
                ComplianceHit(
                    HitKind.EMBARGO,
                    f"{party.label} '{party.name}' is in {name} ({party.country}), an embargoed "
                    "destination",
                )
            )
    licences, licence_hits = _licences(lines, destination, rules)
    hazmat, carrier, hazmat_hits = _hazmat(lines, ship_via, rules.carriers)
    hits += licence_hits + hazmat_hits

    hold = None
    if hits:
        kinds = tuple(dict.fromkeys(h.kind for h in hits))
        hold = ComplianceHold(clip_reason("; ".join(h.text for h in hits)), kinds)
    return ComplianceResult(
        destination=destination,
        party_matches=tuple(matches),
        licences=tuple(licences),
        hazmat_lines=tuple(hazmat),
        carrier=carrier,
        hits=tuple(hits),
        hold=hold,
    )
