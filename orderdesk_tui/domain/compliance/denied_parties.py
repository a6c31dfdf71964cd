"""The denied-party list: its entries as read from a Consolidated Screening List CSV, and the
index built once over every name and alt name (sorted-token keys scored with one
`rapidfuzz.process.extract`, an inverted token index for the containment rule, and listed
addresses by country and city)."""

import re
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from orderdesk_tui.domain.compliance.names import (
    COUNTRY_NAMES,
    ISO_COUNTRIES,
    name_key,
    name_tokens,
    plain_tokens,
)
from orderdesk_tui.domain.compliance.reference_files import (
    ReferenceDataError,
    read_records,
    split_list,
)

#: Weight of the containment rule (a listed name found whole inside ours).
CONTAINMENT_WEIGHT = 0.95
#: Street score from which an address in the same city and country is a hit by itself.
ADDRESS_MATCH = 90


@dataclass(frozen=True)
class ListedAddress:
    """One address of a list entry: 'street, city, region, postal code, CC' as the CSL writes."""

    text: str
    parts: tuple[str, ...]
    country: str
    #: normalised parts after the first (city, region, ...), without the country
    places: tuple[str, ...] = ()


def parse_address(text: str) -> ListedAddress:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    country = ""
    if len(parts) > 1:
        last = parts[-1]
        if len(last) == 2 and last.upper() in ISO_COUNTRIES:
            country = last.upper()
        else:
            country = COUNTRY_NAMES.get(" ".join(plain_tokens(last)), "")
        if country:
            parts = parts[:-1]
    places = tuple(" ".join(plain_tokens(p)) for p in parts[1:])
    return ListedAddress(text.strip(), tuple(parts), country, places)


@dataclass(frozen=True)
class DeniedParty:
    """One entry of the list (the CSL columns the desk shows), with its line in the file."""

    line: int
    id: str
    source: str
    name: str
    alt_names: tuple[str, ...] = ()
    addresses: tuple[ListedAddress, ...] = ()
    programs: tuple[str, ...] = ()
    type: str = ""
    entity_number: str = ""
    federal_register_notice: str = ""
    license_requirement: str = ""
    license_policy: str = ""
    remarks: str = ""
    source_list_url: str = ""

    @property
    def source_code(self) -> str:
        """'SDN' for 'Specially Designated Nationals (SDN) - Treasury Department'."""
        found = re.search(r"\(([^)]+)\)", self.source)
        return found.group(1) if found else self.source

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(a.country for a in self.addresses if a.country)


def parse_denied_parties(lines: Iterable[str], file: str) -> list[DeniedParty]:
    """Read a Consolidated Screening List CSV (columns by header name, any order; only `name`
    is required; `alt_names`, `addresses` and `programs` are `;`-separated)."""
    out: list[DeniedParty] = []
    for line, row in read_records(lines, file, ["name"]):
        name = row["name"].strip()
        if not name:
            raise ReferenceDataError(file, line, "empty name")
        get = row.get
        out.append(
            DeniedParty(
                line=line,
                id=(get("_id") or "").strip(),
                source=(get("source") or "").strip(),
                name=name,
                alt_names=split_list(get("alt_names") or ""),
                addresses=tuple(parse_address(a) for a in split_list(get("addresses") or "")),
                programs=split_list(get("programs") or ""),
                type=(get("type") or "").strip(),
                entity_number=(get("entity_number") or "").strip(),
                federal_register_notice=(get("federal_register_notice") or "").strip(),
                license_requirement=(get("license_requirement") or "").strip(),
                license_policy=(get("license_policy") or "").strip(),
                remarks=(get("remarks") or "").strip(),
                source_list_url=(get("source_list_url") or "").strip(),
            )
        )
    return out


@dataclass(frozen=True)
class NameHit:
    """The best name of one entry for one screened name, before any address boost."""

    entry: int
    listed_name: str
    alt_name: bool
    score: float


class DeniedPartyIndex:
    """The list, indexed for screening: built once, then read-only (safe across threads)."""

    def __init__(self, entries: Sequence[DeniedParty], file: str = "") -> None:
        self.entries: tuple[DeniedParty, ...] = tuple(entries)
        self.file = file
        self._keys: list[str] = []
        self._owner: list[int] = []
        self._label: list[str] = []
        self._alt: list[bool] = []
        postings: dict[str, list[int]] = defaultdict(list)
        self._addresses: dict[tuple[str, str], list[tuple[int, str, str]]] = defaultdict(list)
        for ei, entry in enumerate(self.entries):
            seen: set[str] = set()
            for label, alt in ((entry.name, False), *((a, True) for a in entry.alt_names)):
                key = name_key(label)
                if not key or key in seen:
                    continue
                seen.add(key)
                ci = len(self._keys)
                self._keys.append(key)
                self._owner.append(ei)
                self._label.append(label)
                self._alt.append(alt)
                for token in set(key.split()):
                    postings[token].append(ci)
            for addr in entry.addresses:
                if not addr.country:
                    continue
                for pi, place in enumerate(addr.places, start=1):
                    street = " ".join(plain_tokens(", ".join(addr.parts[:pi])))
                    if place and street:
                        self._addresses[(addr.country, place)].append((ei, street, addr.text))
        self._postings = {t: frozenset(cis) for t, cis in postings.items()}
        # Keys ordered by length: a ratio of at least r needs a length within [l*r/(2-r),
        # l*(2-r)/r] of the query's, so each query scores only that slice.
        by_length = sorted(range(len(self._keys)), key=lambda ci: len(self._keys[ci]))
        self._by_length = [self._keys[ci] for ci in by_length]
        self._by_length_ci = by_length
        self._lengths = [len(k) for k in self._by_length]

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def name_count(self) -> int:
        """Names and alt names indexed (after dropping duplicates within an entry)."""
        return len(self._keys)

    def name_hits(self, name: str, cutoff: float) -> list[NameHit]:
        """Each entry's best score for `name` from `cutoff` up, best first."""
        tokens = name_tokens(name)
        if not tokens:
            return []
        key = " ".join(sorted(tokens))
        best: dict[int, tuple[float, int]] = {}

        def keep(ci: int, score: float) -> None:
            ei = self._owner[ci]
            if score > best.get(ei, (-1.0, 0))[0]:
                best[ei] = (score, ci)

        r = max(cutoff, 1.0) / 100
        lo = bisect_left(self._lengths, len(key) * r / (2 - r) - 1e-9)
        hi = bisect_right(self._lengths, len(key) * (2 - r) / r + 1e-9)
        for _choice, score, i in process.extract(
            key,
            self._by_length[lo:hi],
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=cutoff,
            limit=None,
        ):
            keep(self._by_length_ci[lo + i], score)
        # Containment: names sharing at least two of our words, scored by token-set ratio.
        lists = sorted((self._postings[t] for t in set(tokens) if t in self._postings), key=len)
        candidates: set[int] = set()
        for i, rarer in enumerate(lists[:-1]):
            for commoner in lists[i + 1 :]:
                candidates |= rarer & commoner
        if candidates:
            for _choice, score, ci in process.extract(
                key,
                {ci: self._keys[ci] for ci in candidates},
                scorer=fuzz.token_set_ratio,
                processor=None,
                score_cutoff=min(cutoff / CONTAINMENT_WEIGHT, 100),
                limit=None,
            ):
                keep(ci, CONTAINMENT_WEIGHT * score)
        hits = [NameHit(ei, self._label[ci], self._alt[ci], s) for ei, (s, ci) in best.items()]
        hits.sort(key=lambda h: (-h.score, h.entry))
        return hits

    def address_hits(self, street: str, city: str, country: str) -> list[tuple[int, float, str]]:
        """(entry, street score, listed address) for listed addresses in the same city and
        country whose street scores ADDRESS_MATCH or more."""
        ours = " ".join(plain_tokens(street))
        place = " ".join(plain_tokens(city))
        if not (ours and place and country):
            return []
        out: dict[int, tuple[float, str]] = {}
        for ei, listed, text in self._addresses.get((country, place), ()):
            score = fuzz.token_sort_ratio(ours, listed)
            if score >= ADDRESS_MATCH and score > out.get(ei, (0.0, ""))[0]:
                out[ei] = (score, text)
        return sorted(((ei, s, t) for ei, (s, t) in out.items()), key=lambda x: -x[1])
