"""domain.compliance: name normalisation, fuzzy screening, the CSL reader, embargoes, licences
by ECCN and country, hazmat, and the bundled reference files."""

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from orderdesk_tui.domain.compliance.carriers import parse_carriers
from orderdesk_tui.domain.compliance.denied_parties import DeniedPartyIndex, parse_denied_parties
from orderdesk_tui.domain.compliance.export_controls import parse_country_chart, parse_eccn_controls
from orderdesk_tui.domain.compliance.names import (
    LEGAL_FORMS,
    NOISE_WORDS,
    STOPWORDS,
    name_key,
    name_variants,
    normalize_name,
)
from orderdesk_tui.domain.compliance.order_check import (
    ComplianceRules,
    HitKind,
    OrderLine,
    check_order,
    normalize_un_number,
)
from orderdesk_tui.domain.compliance.reference_files import ReferenceDataError
from orderdesk_tui.domain.compliance.screening import Party, screen_party
from orderdesk_tui.domain.credit import REASON_MAX
from orderdesk_tui.errors import FieldError

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
_HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids"
)
HEADER = _HEADER.split(",")
SDN = "Specially Designated Nationals (SDN) - Treasury Department"
EL = "Entity List (EL) - Bureau of Industry and Security"


def csl(*rows: dict[str, str], header: list[str] = HEADER) -> list[str]:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for i, row in enumerate(rows):
        writer.writerow({"_id": f"id{i}", "source": SDN, **row})
    return out.getvalue().splitlines(keepends=True)


def lines_of(path: Path) -> io.StringIO:
    return io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")


LIST = csl(
    {
        "name": "TIDEWATER MIDDLE EAST CO.",
        "programs": "NPWMD; IFSR",
        "alt_names": "TIDEWATER CO.; TIDE WATER MIDDLE EAST",
        "addresses": "No. 80, Tidewater Building, Vozara Street, Tehran, IR",
    },
    {"name": "KAVEH TEJARAT ENGINEERING COMPANY", "programs": "IRAN"},
    {"name": "ARVAND POOYA TRADING CO.", "programs": "IRAN; IFSR"},
    {"name": "SEPEHR SANAT", "programs": "IRAN"},
    {"name": "AL NOOR STEEL L.L.C.", "addresses": "Warehouse 12, Jebel Ali Free Zone, Dubai, AE"},
    {"name": "ACME TRADING FZE", "addresses": "Office 3, Al Rigga Street, Dubai, AE"},
    {
        "name": "Shenzhen Boxin Microelectronics Co., Ltd.",
        "source": EL,
        "alt_names": "Boxin Tech Co. Ltd.",
        "addresses": "No. 135 Huayuan Avenue, Shenzhen, Guangdong, CN",
        "license_requirement": "For all items subject to the EAR.",
    },
    {
        "name": "OOO KVANTPROMSNAB",
        "programs": "RUSSIA-EO14024",
        "addresses": "ul. Mira, d. 5, Tula, RU",
    },
)
INDEX = DeniedPartyIndex(parse_denied_parties(LIST, "list.csv"))
CHART = parse_country_chart(lines_of(DATA / "country_chart.csv"), "country_chart.csv")
RULES = ComplianceRules(
    denied=INDEX,
    chart=CHART,
    eccn_controls=parse_eccn_controls(lines_of(DATA / "eccn_controls.csv"), "eccn.csv", CHART),
    carriers=parse_carriers(lines_of(DATA / "carriers.csv"), "carriers.csv"),
    embargoed=frozenset({"CU", "IR", "KP", "SY"}),
    threshold=88,
)


# -- normalisation -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "normal"),
    [
        ("Autopartes del Bajío S.A. de C.V.", "autopartes bajio"),
        (
            "Ensambles Industriales de Chihuahua S. de R.L. de C.V.",
            "ensambles industriales chihuahua",
        ),
        ("Schwarzwald Antriebstechnik GmbH", "schwarzwald antriebstechnik"),
        ("Maple Leaf Extrusions Ltd.", "maple leaf extrusions"),
        ("SHENZHEN HUAXIN CO., LTD.", "shenzhen huaxin"),
        ("Tidewater Mideast Trading B.V.", "tidewater middle east"),
        ("Gebrüder Müller & Söhne AG", "gebruder muller sohne"),
        ("Łódź Straße Øresund", "lodz strasse oresund"),
        ("OOO VEKTORSISTEM", "vektorsistem"),
        ("Vektorsistem Limited Liability Company", "vektorsistem"),
        ("Sepehr Sanat Private Joint Stock Company", "sepehr sanat"),
        ("Anadolu Makina Sanayi ve Ticaret Ltd. Sti.", "anadolu makina"),
        ("O'Hare Intl Mfg Inc", "ohare manufacturing"),
        ("Trading Co.", "trading"),  # nothing but filler: keep what there is
        ("Co.", "co"),
        ("", ""),
    ],
)
def test_normalize_name(name: str, normal: str) -> None:
    assert normalize_name(name) == normal


def test_name_variants_split_sites_and_care_of() -> None:
    assert name_variants("Acme Fabrication - Main Plant") == [
        "Acme Fabrication - Main Plant",
        "Acme Fabrication",
        "Main Plant",
    ]
    assert name_variants("Northstar c/o Expeditors") == [
        "Northstar c/o Expeditors",
        "Northstar",
        "Expeditors",
    ]
    assert name_variants("Hex 1/4-20 Supply") == ["Hex 1/4-20 Supply"]


words = st.lists(
    # words that identify a party: a name made only of legal forms ("Lda") has nothing to keep
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=3, max_size=9).filter(
        lambda w: normalize_name(w) == w and w not in LEGAL_FORMS | STOPWORDS | NOISE_WORDS
    ),
    min_size=1,
    max_size=5,
)


@given(words=words, data=st.data())
def test_name_key_ignores_order_case_and_legal_form(words: list[str], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(words))
    suffix = data.draw(st.sampled_from(["", " Inc.", " GmbH", " S.A. de C.V.", ", LLC", " Co Ltd"]))
    assert name_key(" ".join(shuffled).upper() + suffix) == name_key(" ".join(words))


@settings(max_examples=50)
@given(names=st.lists(words, min_size=1, max_size=8, unique_by=lambda w: name_key(" ".join(w))))
def test_every_listed_name_finds_its_own_entry_at_100(names: list[list[str]]) -> None:
    rows = [{"name": " ".join(w).upper() + " CO."} for w in names]
    index = DeniedPartyIndex(parse_denied_parties(csl(*rows), "gen.csv"))
    for row in rows:
        found = screen_party(Party("sold_to", row["name"].title()), index, 88)
        assert found, row
        assert found[0].entry.name == row["name"]
        assert found[0].score == 100
        assert all(0 <= m.score <= 100 for m in found)


# -- screening ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "listed", "alt"),
    [
        ("Tidewater Mideast Trading B.V.", "TIDEWATER MIDDLE EAST CO.", False),
        ("Tidewater Middle East Co. - Warehouse", "TIDEWATER MIDDLE EAST CO.", False),
        ("Kaveh Tejarat Engineering Co", "KAVEH TEJARAT ENGINEERING COMPANY", False),
        ("Engineering Kaveh Tejarat", "KAVEH TEJARAT ENGINEERING COMPANY", False),
        ("Arvand Poya Trading", "ARVAND POOYA TRADING CO.", False),
        ("Sépéhr Sanat", "SEPEHR SANAT", False),
        ("Al Noor Steel Fabrication Works", "AL NOOR STEEL L.L.C.", False),
        ("Boxin Tech", "Boxin Tech Co. Ltd.", True),
    ],
)
def test_possible_denied_parties(ours: str, listed: str, alt: bool) -> None:
    found = screen_party(Party("sold_to", ours), INDEX, 88)
    assert found, ours
    assert found[0].listed_name == listed
    assert found[0].alt_name is alt
    assert found[0].score >= 88
    assert found[0].basis == "name"


@pytest.mark.parametrize(
    "ours",
    [
        "Acme Fabrication & Welding Inc.",  # shares one word with ACME TRADING FZE
        "Tidewater Marine Services",  # the one-word alias TIDEWATER CO. must not swallow it
        "Northstar Automotive Components LLC",
        "Steel Supply Co.",
        "Al Noor Bakery",
    ],
)
def test_clean_names(ours: str) -> None:
    assert screen_party(Party("sold_to", ours), INDEX, 88) == []


@pytest.mark.parametrize(
    ("city", "country", "hit", "boost"),
    [
        ("Tula", "RU", True, 8),  # 81.8 by name, +4 country, +4 city
        ("Moscow", "RU", False, 4),
        ("Tula", "DE", False, 0),
        ("", "", False, 0),
    ],
)
def test_an_address_in_the_listed_place_boosts(
    city: str, country: str, hit: bool, boost: int
) -> None:
    party = Party("ship_to", "Kvantprom LLC", "Lenina 1", city=city, country=country)
    assert bool(screen_party(party, INDEX, 88)) is hit
    (near,) = screen_party(party, INDEX, 80)
    assert near.listed_name == "OOO KVANTPROMSNAB"
    assert 80 <= near.name_score < 88
    assert near.boost == boost


def test_a_listed_address_hits_under_another_name() -> None:
    party = Party(
        "ship_to",
        "Blue Sky Logistics",
        "No. 80, Tidewater Bldg, Vozara Street",
        city="Tehran",
        country="IR",
    )
    (match,) = screen_party(party, INDEX, 88)
    assert match.basis == "address"
    assert match.entry.name == "TIDEWATER MIDDLE EAST CO."
    assert "ship-to address matches TIDEWATER MIDDLE EAST CO." in match.reason


def test_match_carries_entry_source_programs_and_our_name() -> None:
    party = Party(
        "ship_to", "Tidewater Mideast Trading - Rotterdam", city="Rotterdam", country="NL"
    )
    (match,) = screen_party(party, INDEX, 88)
    assert match.our_name == "Tidewater Mideast Trading"
    assert match.entry.source_code == "SDN"
    assert match.entry.programs == ("NPWMD", "IFSR")
    assert match.entry.countries == frozenset({"IR"})
    assert match.reason == (
        "ship-to 'Tidewater Mideast Trading' resembles 'TIDEWATER MIDDLE EAST CO.' on SDN "
        "NPWMD; IFSR, score 100"
    )


# -- the list file -----------------------------------------------------------------------------


def test_reads_the_csl_format_by_header_name() -> None:
    reordered = ["name", "source", "addresses", "alt_names", "extra_column"]
    rows = csl(
        {
            "name": "Harbin Zhongke Photoelectric",
            "addresses": 'Floor 5, "Gaoxin" Park,\nNo. 12, Harbin, CN; Kowloon, HK',
            "alt_names": "Zhongke Tech; HZP",
            "extra_column": "ignored",
        },
        header=reordered,
    )
    (entry,) = parse_denied_parties(rows, "x.csv")
    assert entry.name == "Harbin Zhongke Photoelectric"
    assert entry.alt_names == ("Zhongke Tech", "HZP")
    assert [a.country for a in entry.addresses] == ["CN", "HK"]
    assert entry.addresses[0].places == ("gaoxin park", "no 12", "harbin")
    assert entry.line == 2
    (only_name,) = parse_denied_parties(["name\n", "Lone Entry\n"], "y.csv")
    assert only_name.source == "" and only_name.alt_names == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("_id,source,title\n1,SDN,x\n", "bad.csv:1: no 'name' column in the header"),
        ("_id,name\n1,Alpha\n2,Beta,extra\n", "bad.csv:3: 3 fields where the header has 2"),
        ('_id,name\n1,Alpha\n2,"Beta\n3,Gamma\n', "bad.csv:3: bad CSV: unexpected end of data"),
        ('_id,name\n1,"Al"pha"\n', "bad.csv:2: bad CSV: ',' expected after '\"'"),
        ("_id,name\n1,Alpha\n\n2,  \n", "bad.csv:4: empty name"),
        ("", "bad.csv: the file is empty (no header line)"),
    ],
)
def test_malformed_list_names_file_and_line(text: str, message: str) -> None:
    with pytest.raises(ReferenceDataError) as err:
        parse_denied_parties(io.StringIO(text, newline=""), "bad.csv")
    assert str(err.value).startswith(message)
    assert "\n" not in str(err.value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# note\ncountry_code,NS1\nZZ,X\n", "chart.csv:3: 'ZZ' is not a country code"),
        ("country_code,NS1\nDE,Y\n", "chart.csv:2: NS1 must be X or empty, not 'Y'"),
        ("country_code,NS1\nDE,X\nDE,\n", "chart.csv:3: DE appears twice"),
        ("country_code,name\nDE,Germany\n", "chart.csv:1: no reason-for-control columns"),
    ],
)
def test_malformed_chart(text: str, message: str) -> None:
    with pytest.raises(ReferenceDataError, match=f"^{message}"):
        parse_country_chart(io.StringIO(text), "chart.csv")


def test_malformed_eccn_and_carrier_tables() -> None:
    with pytest.raises(ReferenceDataError, match=r"^e.csv:2: 'XYZ' is not an ECCN"):
        parse_eccn_controls(io.StringIO("eccn,reasons\nXYZ,AT1\n"), "e.csv", CHART)
    with pytest.raises(ReferenceDataError, match=r"^e.csv:3: reason 'QQ1' is not a column"):
        parse_eccn_controls(io.StringIO("eccn,reasons\n3A991,AT1\n3A001,QQ1\n"), "e.csv", CHART)
    with pytest.raises(ReferenceDataError, match=r"^c.csv:2: hazmat_capable must be yes or no"):
        parse_carriers(io.StringIO("code,name,hazmat_capable\nX,X Freight,maybe\n"), "c.csv")


# -- the order check ---------------------------------------------------------------------------

SOLD_TO = Party(
    "sold_to", "Hamilton Steel Fabricators Ltd.", "1 Main St", city="Hamilton", country="CA"
)


def ship_to(country: str, name: str = "Hamilton Steel - Plant 2") -> Party:
    return Party("ship_to", name, "22 Dock Rd", city="Somewhere", country=country)


def line(no: int, eccn: str = "EAR99", **kw: object) -> OrderLine:
    return OrderLine(no, f"PART-{no}", eccn, **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("eccn", "country", "required", "controlled"),
    [
        ("3A991", "RU", True, ("AT1",)),
        ("3A991", "DE", False, ()),
        ("3A991", "CN", False, ()),
        ("1C350", "CN", True, ("CB2",)),
        ("1C350", "MX", False, ()),
        ("1C350", "NL", False, ()),
        ("1C350", "IN", False, ()),
        ("1C350", "BR", True, ("CB2",)),
        ("5A992.c", "RU", True, ("AT1",)),
        ("5A992.c", "CA", False, ()),
        ("2B999", "BY", True, ("AT1",)),
        ("5A002", "CN", True, ("NS1",)),
    ],
)
def test_licence_by_eccn_and_destination(
    eccn: str, country: str, required: bool, controlled: tuple[str, ...]
) -> None:
    result = check_order([SOLD_TO, ship_to(country)], [line(1, eccn)], "UPS Ground", RULES)
    (check,) = result.licences
    assert check.required is required
    assert check.controlled_for == controlled
    assert (HitKind.LICENCE in {h.kind for h in result.hits}) is required


def test_ear99_and_domestic_need_no_licence() -> None:
    result = check_order([SOLD_TO, ship_to("RU")], [line(1), line(2, "EAR99")], "UPSG", RULES)
    assert result.licences == () and result.hits == ()
    domestic = check_order([SOLD_TO, ship_to("US")], [line(1, "1C350")], "UPSG", RULES)
    assert domestic.licences == () and domestic.hold is None


@pytest.mark.parametrize(
    ("eccn", "country", "kind", "text"),
    [
        ("", "DE", HitKind.CLASSIFICATION, "line 1 PART-1: no ECCN, classify it"),
        ("9A610", "DE", HitKind.CLASSIFICATION, "ECCN 9A610 is not in the controls table"),
        ("3A991", "NG", HitKind.LICENCE, "which the country chart extract does not cover"),
    ],
)
def test_unclassified_or_uncharted_is_a_hit(
    eccn: str, country: str, kind: HitKind, text: str
) -> None:
    result = check_order([SOLD_TO, ship_to(country)], [line(1, eccn)], "UPSG", RULES)
    (hit,) = result.hits
    assert hit.kind == kind
    assert text in hit.text


def test_embargoed_destination_and_customer() -> None:
    result = check_order(
        [Party("sold_to", "Havana Parts", country="CU"), ship_to("SY")], [line(1)], "UPSG", RULES
    )
    texts = [h.text for h in result.hits if h.kind == HitKind.EMBARGO]
    assert texts == [
        "sold-to 'Havana Parts' is in Cuba (CU), an embargoed destination",
        "ship-to 'Hamilton Steel - Plant 2' is in Syria (SY), an embargoed destination",
    ]
    relaxed = ComplianceRules(**{**RULES.__dict__, "embargoed": frozenset({"KP"})})
    assert check_order([SOLD_TO, ship_to("SY")], [line(1)], "UPSG", relaxed).hits == ()


@pytest.mark.parametrize(
    ("parties", "field"),
    [
        ([SOLD_TO, ship_to("XX")], "ship_to.country"),
        ([SOLD_TO, ship_to("")], "ship_to.country"),
        ([Party("sold_to", "A", country="Germany"), ship_to("DE")], "sold_to.country"),
        ([Party("sold_to", "A")], "ship_to.country"),
    ],
)
def test_unknown_country_codes_are_field_errors(parties: list[Party], field: str) -> None:
    with pytest.raises(FieldError) as err:
        check_order(parties, [line(1)], "UPSG", RULES)
    assert err.value.field == field


def test_country_codes_are_case_insensitive() -> None:
    assert check_order([SOLD_TO, ship_to(" de ")], [line(1)], "UPSG", RULES).destination == "DE"


HAZ = {"hazmat_un_number": "UN1950", "hazmat_class": "2.1"}


@pytest.mark.parametrize(
    ("ship_via", "lines", "expected"),
    [
        ("UPS Ground", [line(1, **HAZ)], []),
        ("FedEx Ground", [line(1, **HAZ)], []),
        ("Estes LTL", [line(1, **HAZ)], []),
        ("USPS Priority Mail", [line(1, **HAZ)], ["via USPS Priority Mail, which takes no hazmat"]),
        ("Customer forwarder", [line(1, **HAZ)], ["via Customer carrier, which takes no hazmat"]),
        (
            "Pony Express",
            [line(1, **HAZ)],
            ["via 'Pony Express', which is not on the carrier list"],
        ),
        ("", [line(1, **HAZ)], ["and no carrier chosen: pick a hazmat-capable carrier"]),
        (
            "UPS Ground",
            [line(1, hazmat_un_number="UN2911", hazmat_class="7")],
            ["line 1 PART-1: UPS Ground refuses class 7 (UN2911)"],
        ),
        (
            "XPO LTL",
            [line(1, hazmat_un_number="0337", hazmat_class="1.4S")],
            [],  # LTL refuses 1.1-1.3, not 1.4
        ),
        (
            "UPS Ground",
            [line(1, hazmat_un_number="0337", hazmat_class="1.4")],
            ["UPS Ground refuses class 1.4 (UN0337)"],
        ),
        (
            "UPS Ground",
            [line(1, warehouse_code="TOR", warehouse_hazmat_capable=False, **HAZ)],
            ["line 1 PART-1 (UN1950) ships from TOR, which is not hazmat-capable"],
        ),
        ("USPS", [line(1, warehouse_code="TOR", warehouse_hazmat_capable=False)], []),
    ],
)
def test_hazmat_needs_a_capable_carrier_and_warehouse(
    ship_via: str, lines: list[OrderLine], expected: list[str]
) -> None:
    result = check_order([SOLD_TO, ship_to("US")], lines, ship_via, RULES)
    got = [h.text for h in result.hits]
    assert len(got) == len(expected)
    for text, part in zip(got, expected, strict=True):
        assert part in text


def test_hazmat_lines_carry_un_number_and_class() -> None:
    lines = [
        line(1, **HAZ),
        line(2),
        line(3, hazmat_un_number="un 3480", hazmat_class="9", warehouse_code="CHI"),
    ]
    result = check_order([SOLD_TO, ship_to("US")], lines, "FedEx Ground", RULES)
    assert result.hazmat
    assert [(h.line_no, h.un_number, h.hazard_class) for h in result.hazmat_lines] == [
        (1, "UN1950", "2.1"),
        (3, "UN3480", "9"),
    ]
    assert result.carrier is not None and result.carrier.code == "FXG"
    assert normalize_un_number("1090") == "UN1090"


def test_every_hit_goes_into_one_hold_reason() -> None:
    parties = [
        Party("sold_to", "Tidewater Mideast Trading B.V.", country="NL"),
        ship_to("IR", "Tidewater Mideast Trading - Bandar Abbas"),
    ]
    lines = [line(1, "3A991"), line(2, **HAZ)] + [line(n, "1C350") for n in range(3, 40)]
    result = check_order(parties, lines, "USPS", RULES)
    assert result.hold is not None
    assert result.hold.kind == "compliance"
    assert result.hold.kinds == (
        HitKind.DENIED_PARTY,
        HitKind.EMBARGO,
        HitKind.LICENCE,
        HitKind.HAZMAT_CARRIER,
    )
    assert len(result.hold.reason) <= REASON_MAX
    assert result.hold.reason.startswith("sold-to 'Tidewater Mideast Trading B.V.' resembles")
    clean = check_order([SOLD_TO, ship_to("CA")], [line(1, "3A991")], "Purolator", RULES)
    assert clean.hold is None and not clean.holds


# -- the bundled data --------------------------------------------------------------------------


def _demo(name: str) -> list[dict[str, str]]:
    with (DATA / "demo" / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_bundled_list_flags_the_look_alike_demo_customer_and_nobody_else() -> None:
    entries = parse_denied_parties(lines_of(DATA / "denied_parties.csv"), "denied_parties.csv")
    assert 200 <= len(entries) <= 1000
    index = DeniedPartyIndex(entries)
    hits: dict[str, list[str]] = {}
    for row in _demo("customers.csv"):
        for match in screen_party(Party("sold_to", row["name"]), index, 88):
            hits.setdefault(row["code"], []).append(match.entry.name)
    for row in _demo("addresses.csv"):
        party = Party(
            "ship_to",
            row["name"],
            row["line1"],
            row["line2"],
            row["city"],
            row["region"],
            row["postal_code"],
            row["country"],
        )
        for match in screen_party(party, index, 88):
            hits.setdefault(row["customer_code"], []).append(match.entry.name)
    look_alikes = [r["code"] for r in _demo("customers.csv") if "denied-party" in r["demo_note"]]
    assert look_alikes and set(hits) == set(look_alikes)
    assert all(name == "TIDEWATER MIDDLE EAST CO." for names in hits.values() for name in names)


def test_bundled_tables_cover_the_demo_data() -> None:
    controls = RULES.eccn_controls
    for item in _demo("items.csv"):
        eccn = item["eccn"]
        assert eccn == "EAR99" or eccn in controls or eccn.split(".")[0] in controls, eccn
        if item["hazmat_un_number"]:
            assert normalize_un_number(item["hazmat_un_number"]).startswith("UN")
    for customer in _demo("customers.csv"):
        via = customer["default_ship_via"]
        assert RULES.carriers.find(via) is not None, via
    countries = {a["country"] for a in _demo("addresses.csv")} - {"US"}
    assert countries <= set(CHART.marks)


@pytest.mark.parametrize(
    ("ship_via", "code"),
    [
        ("UPS Ground", "UPSG"),
        ("ups ground", "UPSG"),
        ("Day & Ross LTL (collect)", "DAYROSS"),
        ("Customer carrier - El Paso crossdock", "CUSTCARR"),
        ("Customer broker pickup - Laredo", "CUSTCARR"),
        ("LTL - Estes", "ESTES"),
        ("FedEx International Economy", "FXIE"),
        ("DHL Global Forwarding (air)", "DHLGF"),
        ("XPO cross-border LTL", "XPO"),
        ("Will Call", "WILLCALL"),
        ("Pony Express", None),
        ("", None),
    ],
)
def test_carrier_lookup(ship_via: str, code: str | None) -> None:
    carrier = RULES.carriers.find(ship_via)
    assert (carrier.code if carrier else None) == code


syllable_words = st.lists(
    st.sampled_from(["kav", "eh", "tej", "ar", "at", "pars", "noor", "steel", "zen", "it"]),
    min_size=1,
    max_size=3,
).map("".join)
names_st = st.lists(syllable_words, min_size=1, max_size=4).map(" ".join)


@settings(max_examples=60)
@given(listed=st.lists(names_st, min_size=1, max_size=30), query=names_st)
def test_index_finds_exactly_what_scoring_every_name_finds(listed: list[str], query: str) -> None:
    """The length slice and the token postings are only shortcuts: same hits as brute force."""
    index = DeniedPartyIndex(parse_denied_parties(csl(*({"name": n} for n in listed)), "p.csv"))
    cutoff = 80.0
    q = name_key(query)
    expected: dict[int, float] = {}
    for ei, name in enumerate(listed):
        k = name_key(name)
        score = fuzz.ratio(q, k)
        if len(set(q.split()) & set(k.split())) >= 2:
            score = max(score, 0.95 * fuzz.token_set_ratio(q, k))
        if score >= cutoff:
            expected[ei] = score
    got = {h.entry: h.score for h in index.name_hits(query, cutoff)}
    assert got.keys() == expected.keys()
    for ei, score in got.items():
        assert score == pytest.approx(expected[ei])
