"""Export compliance rules for an order (pure: the service reads the files and the store).

* **Denied parties.** The sold-to and ship-to names (and the company part of a ship-to name such
  as "Acme - Dock 3" or "X c/o Y") are screened against a list in the US Consolidated Screening
  List CSV format: every name and `;`-separated alt name of every entry. Names are normalised
  (accents, case, punctuation, legal forms such as Inc/LLC/GmbH/S.A. de C.V., filler words,
  a few spelling variants such as Mideast → Middle East) and compared with rapidfuzz as a
  token-sort ratio (word order does not matter). A listed name of two or more words found whole
  inside ours ("Al Noor Steel" in "Al Noor Steel Fabrication") also counts, at 95 % of the
  token-set ratio. An address in the same country adds 4 points and the same city another 4.
  An address matching a listed address (same country and city, street ≥ 90) is a hit even
  under another name.
* **Embargoes.** A sold-to or ship-to in an embargoed country (settings) is a hit.
* **Licences.** Shipping an item whose ECCN has a reason for control with an X in the Commerce
  Country Chart row of the destination needs a licence. EAR99 never does; an unknown ECCN or a
  destination missing from the chart extract is a hit too (classify before shipping).
* **Hazmat.** Lines with a UN number flag the order and carry UN number and class to the
  documents; the carrier must take hazmat (and that class), and the shipping warehouse must be
  hazmat-capable.

Any hit implies a compliance hold whose reason lists the hits; only a supervisor clears it.

The list is indexed once (`DeniedPartyIndex`): every name is stored as its sorted-token key so
one `rapidfuzz.process.extract` over plain `fuzz.ratio` scores the whole list (a few ms for
20,000 entries), plus an inverted token index for the containment rule.
"""

import csv
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from rapidfuzz import fuzz, process

from orderdesk_tui.domain.credit import clip_reason
from orderdesk_tui.errors import FieldError, OrderdeskError

# fmt: off
#: ISO 3166-1 alpha-2 codes, plus XK (Kosovo), which trade documents use.
_ISO_CODES = """
AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR
BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ
EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW
GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY
KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV
MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY
QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS XK YE YT ZA
ZM ZW
"""
ISO_COUNTRIES = frozenset(_ISO_CODES.split())

#: Country names some list files write instead of a code at the end of an address.
COUNTRY_NAMES = {
    "iran": "IR", "russia": "RU", "china": "CN", "syria": "SY", "cuba": "CU", "belarus": "BY",
    "north korea": "KP", "korea north": "KP", "venezuela": "VE", "hong kong": "HK",
    "united arab emirates": "AE", "uae": "AE", "turkey": "TR", "turkiye": "TR",
    "pakistan": "PK", "lebanon": "LB", "burma": "MM", "myanmar": "MM", "iraq": "IQ",
    "united states": "US", "usa": "US", "germany": "DE", "netherlands": "NL",
}

#: Legal forms dropped from names (after dots are removed: S.A. -> sa, B.V. -> bv).
_LEGAL_FORMS = """
inc incorporated corp corporation co cos company companies llc llp lp ltd limited plc pllc
gmbh mbh ag kg kgaa ohg ug se sa sas sasu sarl srl spa sl slu sal bv nv vof cv rl sapi sab
pty pte pvt private oy oyj ab as asa aps kk jsc ojsc cjsc pjsc ooo zao oao pao ao
fze fzc fzco fz dmcc sdn bhd tbk pt sti kft zrt nyrt doo dd ad ead ood sro lda ltda sp zoo ca
"""
LEGAL_FORMS = frozenset(_LEGAL_FORMS.split())
#: Legal forms of several words, removed before the single-word pass.
LEGAL_PHRASES = re.compile(
    r"\b(?:s de rl|s en c|sp z oo|spol s ro|public joint stock|private joint stock|joint stock"
    r"|limited liability|sanayi ve ticaret|ic ve dis ticaret|dis ticaret)\b"
)
#: Words that carry no identity in a name.
_STOPWORDS = (
    "the and of for de del della di da do dos das la las los le les el y e et du des der die "
    "das und von van den al"
)
STOPWORDS = frozenset(_STOPWORDS.split())
#: Generic business words, dropped when something else is left.
_NOISE_WORDS = (
    "trading trade group groupe grupo gruppe gruppo holding holdings international enterprise "
    "enterprises import export imports exports"
)
NOISE_WORDS = frozenset(_NOISE_WORDS.split())
#: Spelling variants mapped to one form.
VARIANTS: dict[str, tuple[str, ...]] = {
    "mideast": ("middle", "east"), "intl": ("international",), "mfg": ("manufacturing",),
    "bros": ("brothers",), "centre": ("center",), "ctr": ("center",), "natl": ("national",),
    "tech": ("technology",), "technologies": ("technology",), "electronic": ("electronics",),
    "svc": ("service",), "svcs": ("services",), "eng": ("engineering",),
}
_FOLD = str.maketrans({
    "ß": "ss", "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ł": "l",
    "Ł": "l", "đ": "d", "Đ": "d", "ð": "d", "þ": "th", "Þ": "th", "\u0131": "i", "&": " and ",
})
# fmt: on
_JOINERS = re.compile("[.'`\u2019\u00b4]")
_SEPARATORS = re.compile(r"[\W_]+")
_SUBPARTS = re.compile("\\s+(?:-|\u2013|\u2014|c/o|attn:?|care of|/)\\s+", re.IGNORECASE)

#: Points an address in the listed country adds to a name score; the same city adds as much.
COUNTRY_BOOST = 4
CITY_BOOST = 4
MAX_BOOST = COUNTRY_BOOST + CITY_BOOST
#: Weight of the containment rule (a listed name found whole inside ours).
CONTAINMENT_WEIGHT = 0.95
#: Street score from which an address in the same city and country is a hit by itself.
ADDRESS_MATCH = 90
#: Matches kept per screened name.
MATCHES_PER_NAME = 5


class ReferenceDataError(OrderdeskError):
    """A list or table file the rules load is malformed; names the file and line."""

    def __init__(self, file: str, line: int | None, problem: str) -> None:
        self.file = file
        self.line = line
        self.problem = problem
        where = f"{file}:{line}" if line else file
        super().__init__(f"{where}: {problem}")


# -- normalisation -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Lower case without accents: 'Hidráulica Aragonesa' -> 'hidraulica aragonesa'."""
    if text.isascii():
        return text.replace("&", " and ").lower()
    text = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in text if not unicodedata.combining(c)).casefold()


def plain_tokens(text: str) -> list[str]:
    """Folded words, dots and apostrophes joined ('S.A.' -> 'sa'), other punctuation split."""
    return _SEPARATORS.sub(" ", _JOINERS.sub("", fold(text))).split()


def name_tokens(text: str) -> list[str]:
    """The words of a party name that identify it (see the module doc for what is dropped)."""
    joined = LEGAL_PHRASES.sub(" ", " ".join(plain_tokens(text)))
    expanded = [v for t in joined.split() for v in VARIANTS.get(t, (t,))]
    core = [t for t in expanded if t not in LEGAL_FORMS and t not in STOPWORDS]
    key = [t for t in core if t not in NOISE_WORDS]
    return key or core or expanded


def normalize_name(text: str) -> str:
    return " ".join(name_tokens(text))


def name_key(text: str) -> str:
    """The sorted-token form that is compared: word order does not matter."""
    return " ".join(sorted(name_tokens(text)))


def name_variants(name: str) -> list[str]:
    """The name and, when it has parts ('Acme - Dock 3', 'X c/o Y'), each part."""
    parts = [p.strip() for p in _SUBPARTS.split(name) if p and p.strip()]
    out = [name.strip()]
    if len(parts) > 1:
        out += parts
    return [v for i, v in enumerate(out) if v and v not in out[:i]]


def country_code(value: str, field_name: str) -> str:
    """An ISO 3166 alpha-2 code, upper-cased; FieldError naming `field_name` otherwise."""
    code = (value or "").strip().upper()
    if not code:
        raise FieldError(field_name, "no country given")
    if code not in ISO_COUNTRIES:
        raise FieldError(field_name, f"'{value.strip()}' is not an ISO 3166 country code")
    return code


# -- the denied-party list ---------------------------------------------------------------------


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


def _split_list(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split(";") if p.strip())


def _records(
    lines: Iterable[str], file: str, required: Sequence[str]
) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) for each record; `#` lines before the header are comments.

    Raises ReferenceDataError naming the file and line for bad CSV, a missing column, or a
    record with a different number of fields than the header."""
    it = iter(lines)
    skipped = 0
    first: str | None = None
    for raw in it:
        if raw.lstrip().startswith("#") or not raw.strip():
            skipped += 1
            continue
        first = raw
        break
    if first is None:
        raise ReferenceDataError(file, None, "the file is empty (no header line)")

    def rest() -> Iterator[str]:
        yield first
        yield from it

    reader = csv.reader(rest(), strict=True)
    done = 0  # physical lines of the records read so far
    try:
        header = [h.strip() for h in next(reader)]
        header_line = skipped + 1
        missing = [c for c in required if c not in header]
        if missing:
            raise ReferenceDataError(
                file, header_line, f"no '{missing[0]}' column in the header ({', '.join(header)})"
            )
        done = reader.line_num
        for row in reader:
            start = skipped + done + 1
            done = reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                raise ReferenceDataError(
                    file, start, f"{len(row)} fields where the header has {len(header)}"
                )
            yield start, dict(zip(header, row, strict=True))
    except csv.Error as exc:
        # name the line the broken record starts on (where an unclosed quote opened)
        raise ReferenceDataError(file, skipped + done + 1, f"bad CSV: {exc}") from None


def parse_denied_parties(lines: Iterable[str], file: str) -> list[DeniedParty]:
    """Read a Consolidated Screening List CSV (columns by header name, any order; only `name`
    is required; `alt_names`, `addresses` and `programs` are `;`-separated)."""
    out: list[DeniedParty] = []
    for line, row in _records(lines, file, ["name"]):
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
                alt_names=_split_list(get("alt_names") or ""),
                addresses=tuple(parse_address(a) for a in _split_list(get("addresses") or "")),
                programs=_split_list(get("programs") or ""),
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


# -- screening a party -------------------------------------------------------------------------


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


# -- country chart, ECCNs, carriers ------------------------------------------------------------


_REASON_COLUMN = re.compile(r"^[A-Z]{2}\d$")


@dataclass(frozen=True)
class CountryChart:
    """Reasons for control (NS1, AT1, ...) marked X per destination country."""

    columns: tuple[str, ...]
    marks: Mapping[str, frozenset[str]]
    names: Mapping[str, str] = field(default_factory=dict)

    def controlled(self, country: str, reasons: Iterable[str]) -> tuple[str, ...] | None:
        """The `reasons` marked X for `country`; None when the country is not in the chart."""
        row = self.marks.get(country)
        if row is None:
            return None
        return tuple(r for r in reasons if r in row)


def parse_country_chart(lines: Iterable[str], file: str) -> CountryChart:
    columns: tuple[str, ...] | None = None
    marks: dict[str, frozenset[str]] = {}
    names: dict[str, str] = {}
    for line, row in _records(lines, file, ["country_code"]):
        if columns is None:
            columns = tuple(c for c in row if _REASON_COLUMN.match(c))
            if not columns:
                raise ReferenceDataError(file, line - 1, "no reason-for-control columns (NS1...)")
        code = row["country_code"].strip().upper()
        if code not in ISO_COUNTRIES:
            raise ReferenceDataError(file, line, f"'{row['country_code']}' is not a country code")
        if code in marks:
            raise ReferenceDataError(file, line, f"{code} appears twice")
        marked = set()
        for col in columns:
            value = row[col].strip().upper()
            if value not in ("", "X"):
                raise ReferenceDataError(file, line, f"{col} must be X or empty, not '{value}'")
            if value == "X":
                marked.add(col)
        marks[code] = frozenset(marked)
        names[code] = (row.get("country_name") or "").strip()
    return CountryChart(columns or (), marks, names)


_ECCN = re.compile(r"^(\d[A-E]\d{3})(?:\.[a-z0-9.]+)?$", re.IGNORECASE)


@dataclass(frozen=True)
class EccnControl:
    eccn: str
    reasons: tuple[str, ...]
    description: str = ""


def parse_eccn_controls(
    lines: Iterable[str], file: str, chart: CountryChart | None = None
) -> dict[str, EccnControl]:
    """ECCN -> its reasons for control; each reason must be a column of `chart` if given."""
    out: dict[str, EccnControl] = {}
    for line, row in _records(lines, file, ["eccn", "reasons"]):
        eccn = row["eccn"].strip().upper()
        if not _ECCN.match(eccn):
            raise ReferenceDataError(file, line, f"'{row['eccn']}' is not an ECCN (like 3A991)")
        reasons = tuple(r.upper() for r in _split_list(row["reasons"]))
        if not reasons:
            raise ReferenceDataError(file, line, f"{eccn} has no reasons for control")
        for reason in reasons:
            if chart is not None and reason not in chart.columns:
                raise ReferenceDataError(
                    file, line, f"reason '{reason}' is not a column of the country chart"
                )
        out[eccn] = EccnControl(eccn, reasons, (row.get("description") or "").strip())
    return out


def _normal_carrier(text: str) -> str:
    return " ".join(plain_tokens(re.sub(r"\([^)]*\)", " ", text)))


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    hazmat_capable: bool
    modes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    excluded_classes: tuple[str, ...] = ()
    notes: str = ""

    def refuses_class(self, hazard_class: str) -> bool:
        """True if the carrier refuses `hazard_class` ('1' refuses '1.4'; '1.1' not '1.4')."""
        cls = hazard_class.strip()
        return any(cls == ex or cls.startswith(ex + ".") for ex in self.excluded_classes)


class CarrierTable:
    """The carriers, found from a free-text ship-via by code, name or alias, or by the
    longest of those that starts it ('Customer carrier - El Paso crossdock')."""

    def __init__(self, carriers: Sequence[Carrier]) -> None:
        self.carriers = tuple(carriers)
        self._names: dict[str, Carrier] = {}
        for carrier in self.carriers:
            for text in (carrier.code, carrier.name, *carrier.aliases):
                key = _normal_carrier(text)
                if key:
                    self._names.setdefault(key, carrier)

    def find(self, ship_via: str) -> Carrier | None:
        key = _normal_carrier(ship_via)
        if not key:
            return None
        if key in self._names:
            return self._names[key]
        best: tuple[int, Carrier] | None = None
        for name, carrier in self._names.items():
            if (key.startswith(name + " ")) and (best is None or len(name) > best[0]):
                best = (len(name), carrier)
        return best[1] if best else None


def _yes(value: str, file: str, line: int, column: str) -> bool:
    v = value.strip().lower()
    if v in ("yes", "y", "true", "1"):
        return True
    if v in ("no", "n", "false", "0"):
        return False
    raise ReferenceDataError(file, line, f"{column} must be yes or no, not '{value}'")


def parse_carriers(lines: Iterable[str], file: str) -> CarrierTable:
    out: list[Carrier] = []
    for line, row in _records(lines, file, ["code", "name", "hazmat_capable"]):
        code, name = row["code"].strip(), row["name"].strip()
        if not code or not name:
            raise ReferenceDataError(file, line, "a carrier needs a code and a name")
        out.append(
            Carrier(
                code=code,
                name=name,
                hazmat_capable=_yes(row["hazmat_capable"], file, line, "hazmat_capable"),
                modes=_split_list(row.get("modes") or ""),
                aliases=_split_list(row.get("aliases") or ""),
                excluded_classes=_split_list(row.get("hazmat_excluded_classes") or ""),
                notes=(row.get("notes") or "").strip(),
            )
        )
    return CarrierTable(out)


# -- the order check ---------------------------------------------------------------------------


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
    base = _ECCN.match(eccn)
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
