"""services.compliance on both stores (orders built with the ORM), and the reference-file
loading: settings path, BOM, caching, malformed files."""

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest
from sqlmodel import select

from orderdesk_tui.config import ComplianceSettings
from orderdesk_tui.domain.compliance.order_check import HitKind
from orderdesk_tui.domain.compliance.reference_files import ReferenceDataError
from orderdesk_tui.errors import FieldError, PermissionDenied, RuleViolation
from orderdesk_tui.models import (
    Address,
    AuditEvent,
    Customer,
    Hold,
    Item,
    SalesOrder,
    SalesOrderLine,
    User,
    Warehouse,
)
from orderdesk_tui.models.base import AddressKind, HoldKind, OrderState, Role
from orderdesk_tui.services.compliance import (
    apply_compliance_hold,
    load_denied_party_index,
    load_rules,
    screen_customer,
    screen_order,
    screen_order_in,
)
from orderdesk_tui.services.order_actions import release_hold
from orderdesk_tui.store import Store

COORDINATOR = User(name="casey", role=Role.COORDINATOR)
SUPERVISOR = User(name="sam", role=Role.SUPERVISOR)
CSL_HEADER = (
    "_id,source,entity_number,type,programs,name,title,addresses,federal_register_notice,"
    "start_date,end_date,standard_order,license_requirement,license_policy,call_sign,"
    "vessel_type,gross_tonnage,gross_registered_tonnage,vessel_flag,vessel_owner,remarks,"
    "source_list_url,alt_names,citizenships,dates_of_birth,nationalities,places_of_birth,"
    "source_information_url,ids"
)


@dataclass
class Parts:
    ear99: int
    daq: int  # 3A991
    acid: int  # 1C350, hazmat UN1790 class 8
    aerosol: int  # EAR99, hazmat UN1950 class 2.1
    chi: int  # hazmat-capable warehouse
    tor: int  # not hazmat-capable


def _parts(store: Store) -> Parts:
    with store.session() as s:
        s.add_all([User(name="casey"), User(name="sam", role=Role.SUPERVISOR)])
        items = [
            Item(part_number="HHCS-0250", description="Hex cap screw", eccn="EAR99"),
            Item(part_number="DAQ-AI16-HS", description="DAQ module", eccn="3A991"),
            Item(
                part_number="CHM-HF49-GAL",
                description="Hydrofluoric acid 49%",
                eccn="1C350",
                hazmat_un_number="UN1790",
                hazmat_class="8",
            ),
            Item(
                part_number="CHM-PEN-11OZ",
                description="Penetrating oil aerosol",
                hazmat_un_number="UN1950",
                hazmat_class="2.1",
            ),
        ]
        chi = Warehouse(code="CHI", name="Central DC", hazmat_capable=True)
        tor = Warehouse(code="TOR", name="Canada DC", country="CA", hazmat_capable=False)
        s.add_all([*items, chi, tor])
        s.flush()
        ids = [i.id for i in items]
        assert all(ids) and chi.id and tor.id
        return Parts(*ids, chi.id, tor.id)  # type: ignore[arg-type]


def _order(
    store: Store,
    *,
    code: str,
    name: str,
    country: str,
    lines: list[tuple[int, int | None]],
    ship_via: str = "UPS Ground",
    ship_to_name: str | None = None,
    default_ship_via: str = "",
    with_ship_to: bool = True,
) -> int:
    """A customer with a bill-to and (unless told) a ship-to in `country`, and an entered order
    with `lines` of (item id, warehouse id)."""
    with store.session() as s:
        cust = Customer(code=code, name=name, default_ship_via=default_ship_via)
        s.add(cust)
        s.flush()
        assert cust.id
        bill = Address(
            customer_id=cust.id,
            code="BT",
            kind=AddressKind.BILL_TO,
            name=name,
            line1="Waalhaven Zuidzijde 21",
            city="Rotterdam",
            country=country,
        )
        s.add(bill)
        ship = None
        if with_ship_to:
            ship = Address(
                customer_id=cust.id,
                code="ST",
                kind=AddressKind.SHIP_TO,
                name=ship_to_name or f"{name} - Warehouse",
                line1="Waalhaven Zuidzijde 21",
                city="Rotterdam",
                country=country,
                is_default=True,
            )
            s.add(ship)
        s.flush()
        order = SalesOrder(
            number=f"SO-{code}",
            customer_id=cust.id,
            state=OrderState.ENTERED,
            bill_to_id=bill.id,
            ship_to_id=ship.id if ship else None,
            ship_via=ship_via,
            total=Decimal("100.00"),
        )
        s.add(order)
        s.flush()
        assert order.id
        for no, (item_id, warehouse_id) in enumerate(lines, start=1):
            s.add(
                SalesOrderLine(
                    order_id=order.id,
                    line_no=no,
                    item_id=item_id,
                    warehouse_id=warehouse_id,
                    quantity=Decimal("2"),
                )
            )
        return order.id


def test_look_alike_customer_and_hazmat_put_the_order_on_compliance_hold(store: Store) -> None:
    p = _parts(store)
    order_id = _order(
        store,
        code="TIDE01",
        name="Tidewater Mideast Trading B.V.",
        country="NL",
        lines=[(p.daq, p.chi), (p.aerosol, p.tor)],
    )
    result = screen_order(store, order_id)
    kinds = [h.kind for h in result.hits]
    assert kinds == [HitKind.DENIED_PARTY, HitKind.DENIED_PARTY, HitKind.HAZMAT_WAREHOUSE]
    assert {m.role for m in result.party_matches} == {"sold_to", "ship_to"}
    assert all(m.entry.name == "TIDEWATER MIDDLE EAST CO." for m in result.party_matches)
    assert result.destination == "NL"
    (daq,) = result.licences
    assert daq.eccn == "3A991" and not daq.required
    assert [(h.part_number, h.un_number, h.hazard_class) for h in result.hazmat_lines] == [
        ("CHM-PEN-11OZ", "UN1950", "2.1")
    ]

    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        hold = apply_compliance_hold(s, order, result, "casey")
        assert hold is not None and hold.id is not None
        hold_id, version = hold.id, hold.version
        assert order.state == OrderState.ON_HOLD
    with store.session() as s:
        stored = s.get(Hold, hold_id)
        assert stored is not None
        assert stored.kind == HoldKind.COMPLIANCE
        assert "resembles 'TIDEWATER MIDDLE EAST CO.'" in stored.reason
        assert "ships from TOR, which is not hazmat-capable" in stored.reason
        placed = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity_id == hold_id, AuditEvent.action == "hold.placed"
            )
        ).one()
        assert json.loads(placed.changes)["kind"] == [None, "compliance"]

    with pytest.raises(PermissionDenied, match="releasing a compliance hold is for supervisors"):
        release_hold(store, hold_id, expected_version=version, actor=COORDINATOR, reason="ok")
    with pytest.raises(RuleViolation, match="released with a reason"):
        release_hold(store, hold_id, expected_version=version, actor=SUPERVISOR, reason="")
    release_hold(
        store,
        hold_id,
        expected_version=version,
        actor=SUPERVISOR,
        reason="false positive: Dutch B.V., KvK 12345678, no Iran ties; screened by compliance",
    )
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None and order.state == OrderState.ENTERED


def test_clean_domestic_order_gets_no_hold(store: Store) -> None:
    p = _parts(store)
    order_id = _order(
        store,
        code="ACME01",
        name="Acme Fabrication & Welding Inc.",
        country="US",
        lines=[(p.ear99, p.chi), (p.daq, p.chi), (p.acid, p.chi)],
        ship_via="FedEx Ground",
    )
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        result = screen_order_in(s, order, load_rules())
        assert result.hits == () and result.licences == ()
        assert result.hazmat and result.carrier is not None and result.carrier.code == "FXG"
        assert apply_compliance_hold(s, order, result, "casey") is None
        assert s.exec(select(Hold)).first() is None


def test_export_licence_and_customer_default_carrier(store: Store) -> None:
    p = _parts(store)
    order_id = _order(
        store,
        code="SZX01",
        name="Pearl River Instruments Ltd.",
        country="CN",
        lines=[(p.acid, p.chi), (p.ear99, None)],
        ship_via="",
        default_ship_via="USPS Priority Mail",
    )
    result = screen_order(store, order_id)
    texts = [h.text for h in result.hits]
    assert texts == [
        "line 1 CHM-HF49-GAL: ECCN 1C350 needs a licence for CN (CB2)",
        "hazmat (UN1790 class 8) via USPS Priority Mail, which takes no hazmat",
    ]


def test_cancelled_lines_are_not_screened(store: Store) -> None:
    p = _parts(store)
    order_id = _order(
        store, code="SZX02", name="Pearl River Instruments", country="CN", lines=[(p.acid, p.chi)]
    )
    with store.session() as s:
        line = s.exec(select(SalesOrderLine).where(SalesOrderLine.order_id == order_id)).one()
        line.quantity_cancelled = line.quantity
        s.add(line)
    assert screen_order(store, order_id).hits == ()


def test_bad_country_and_missing_ship_to_are_field_errors(store: Store) -> None:
    p = _parts(store)
    bad = _order(store, code="BAD01", name="Nowhere Ltd", country="XX", lines=[(p.ear99, None)])
    with pytest.raises(FieldError) as err:
        screen_order(store, bad)
    assert err.value.field == "sold_to.country"
    assert "'XX' is not an ISO 3166 country code" in str(err.value)
    none = _order(
        store,
        code="NOS01",
        name="No Ship-to Inc",
        country="US",
        lines=[(p.ear99, None)],
        with_ship_to=False,
    )
    with pytest.raises(FieldError, match=r"^ship_to: the order has no ship-to address"):
        screen_order(store, none)
    with pytest.raises(FieldError, match=r"^order: no order with id 987654"):
        screen_order(store, 987654)


def test_screen_customer_checks_name_and_every_address(store: Store) -> None:
    _parts(store)
    order_id = _order(
        store,
        code="TIDE02",
        name="Blue Harbour Shipping B.V.",
        country="NL",
        lines=[],
        ship_to_name="Tidewater Middle East Co. - Rotterdam",
    )
    with store.session() as s:
        order = s.get(SalesOrder, order_id)
        assert order is not None
        customer_id = order.customer_id
    (match,) = screen_customer(store, customer_id)
    assert match.role == "ship_to"
    assert match.our_name == "Tidewater Middle East Co."


# -- reference files (no store needed) ---------------------------------------------------------


def _write_list(path: Path, *rows: str, bom: bool = False) -> Path:
    text = "\n".join([CSL_HEADER, *rows]) + "\n"
    path.write_bytes(("\ufeff" if bom else "").encode() + text.encode("utf-8"))
    return path


def row(name: str, addresses: str = "", alt: str = "") -> str:
    fields = [""] * 29
    fields[1] = "Entity List (EL) - Bureau of Industry and Security"
    fields[5] = name
    fields[7] = f'"{addresses}"'
    fields[22] = f'"{alt}"'
    return ",".join(fields)


def test_configured_list_with_bom_is_loaded_once_and_reloaded_when_changed(
    tmp_path: Path,
) -> None:
    path = _write_list(
        tmp_path / "consolidated.csv",
        row("Zenit Optika OOO", "ul. Mira, d. 5, Kazan, RU", "Zenith Optics; ZO"),
        bom=True,
    )
    rules = load_rules(ComplianceSettings(denied_party_list=str(path)))
    assert len(rules.denied) == 1
    assert rules.denied.entries[0].name == "Zenit Optika OOO"  # BOM not part of the header
    assert load_denied_party_index(path) is rules.denied
    _write_list(path, row("Zenit Optika OOO"), row("Kvant Pribor AO"))
    reloaded = load_denied_party_index(path)
    assert reloaded is not rules.denied and len(reloaded) == 2


def test_default_list_is_the_bundled_demo() -> None:
    rules = load_rules()
    assert any(e.name == "TIDEWATER MIDDLE EAST CO." for e in rules.denied.entries)
    assert rules.threshold == 88
    assert rules.embargoed == frozenset({"CU", "IR", "KP", "SY"})


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"_id,source,title\n1,x,y\n", ":1: no 'name' column in the header"),
        (
            (CSL_HEADER + "\n" + row("Alpha") + "\n" + row("Beta") + ",extra\n").encode(),
            ":3: 30 fields where the header has 29",
        ),
        (
            (CSL_HEADER + "\n" + row("Alpha") + '\n"unterminated\n' + row("Beta")).encode(),
            ":3: bad CSV: unexpected end of data",
        ),
        ((CSL_HEADER + "\n" + row("Alpha") + "\n").encode() + b"\xff\xfe,x\n", ":3: not UTF-8"),
    ],
)
def test_malformed_configured_list_is_one_line_naming_file_and_line(
    tmp_path: Path, content: bytes, problem: str
) -> None:
    path = tmp_path / "bad-list.csv"
    path.write_bytes(content)
    with pytest.raises(ReferenceDataError) as err:
        load_rules(ComplianceSettings(denied_party_list=str(path)))
    message = str(err.value)
    assert message.startswith(str(path) + problem), message
    assert "\n" not in message


def test_missing_list_file_and_bad_embargo_code(tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(ReferenceDataError, match=r"nope\.csv: no such file"):
        load_rules(ComplianceSettings(denied_party_list=str(missing)))
    with pytest.raises(FieldError) as err:
        load_rules(ComplianceSettings(embargoed_countries=["CU", "XX"]))
    assert err.value.field == "compliance.embargoed_countries"
