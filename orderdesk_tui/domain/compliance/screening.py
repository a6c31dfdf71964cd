"""Screening one party (the sold-to or a ship-to) against the denied-party index: each variant of
its name, boosted by an address in the listed country and city, and listed addresses matched on
their own; the possible matches best first, each with its reason."""

from dataclasses import dataclass

from orderdesk_tui.domain.compliance.denied_parties import DeniedParty, DeniedPartyIndex
from orderdesk_tui.domain.compliance.names import name_variants, plain_tokens

#: Points an address in the listed country adds to a name score; the same city adds as much.
COUNTRY_BOOST = 4
CITY_BOOST = 4
MAX_BOOST = COUNTRY_BOOST + CITY_BOOST
#: Matches kept per screened name.
MATCHES_PER_NAME = 5

ROLE_LABELS = {"sold_to": "sold-to", "ship_to": "ship-to", "bill_to": "bill-to"}


@dataclass(frozen=True)
class Party:
    """A name and address to screen: the sold-to customer or a ship-to address."""

    role: str
    name: str
    line1: str = ""
    line2: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""

    @property
    def label(self) -> str:
        return ROLE_LABELS.get(self.role, self.role)


@dataclass(frozen=True)
class PartyMatch:
    """A possible denied party: which of our names hit which listed name, and how well."""

    role: str
    our_name: str
    entry: DeniedParty
    listed_name: str
    alt_name: bool
    name_score: float
    boost: int
    score: float
    #: "name" (a name matched, perhaps helped by the address) or "address" (the address alone)
    basis: str
    address_note: str = ""

    @property
    def reason(self) -> str:
        label = ROLE_LABELS.get(self.role, self.role)
        entry = self.entry
        where = entry.source_code + (f" {'; '.join(entry.programs)}" if entry.programs else "")
        if self.basis == "address":
            return (
                f"{label} address matches {entry.name} ({where}) at '{self.address_note}', "
                f"score {self.score:.0f}"
            )
        aka = f" (a.k.a. of {entry.name})" if self.alt_name else ""
        extra = f", {self.address_note}" if self.address_note else ""
        return (
            f"{label} '{self.our_name}' resembles '{self.listed_name}'{aka} on {where}, "
            f"score {self.score:.0f}{extra}"
        )


def _boost(entry: DeniedParty, country: str, city: str) -> tuple[int, str]:
    if not country:
        return 0, ""
    place = " ".join(plain_tokens(city))
    best, note = 0, ""
    for addr in entry.addresses:
        if addr.country != country:
            continue
        if place and place in addr.places:
            return COUNTRY_BOOST + CITY_BOOST, f"listed in {city.strip()}, {country}"
        best, note = COUNTRY_BOOST, f"listed in {country}"
    return best, note


def screen_party(party: Party, index: DeniedPartyIndex, threshold: float) -> list[PartyMatch]:
    """Possible denied parties for one party, best first (empty when nothing scores
    `threshold`). The party's country must already be a valid code or empty."""
    best: dict[int, PartyMatch] = {}
    cutoff = max(threshold - MAX_BOOST, 0)
    for variant in name_variants(party.name):
        for hit in index.name_hits(variant, cutoff)[: MATCHES_PER_NAME * 4]:
            entry = index.entries[hit.entry]
            boost, note = _boost(entry, party.country, party.city)
            score = min(100.0, hit.score + boost)
            if score < threshold:
                continue
            match = PartyMatch(
                role=party.role,
                our_name=variant,
                entry=entry,
                listed_name=hit.listed_name,
                alt_name=hit.alt_name,
                name_score=round(hit.score, 1),
                boost=boost,
                score=round(score, 1),
                basis="name",
                address_note=note,
            )
            if hit.entry not in best or match.score > best[hit.entry].score:
                best[hit.entry] = match
    for ei, score, text in index.address_hits(party.line1, party.city, party.country):
        if ei in best:
            continue
        best[ei] = PartyMatch(
            role=party.role,
            our_name=party.name,
            entry=index.entries[ei],
            listed_name=index.entries[ei].name,
            alt_name=False,
            name_score=0.0,
            boost=0,
            score=round(score, 1),
            basis="address",
            address_note=text,
        )
    matches = sorted(best.values(), key=lambda m: (-m.score, m.entry.line))
    return matches[:MATCHES_PER_NAME]
