"""Return rules (domain.returns): states, windows, warranty, fees, settlement. Table-driven."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderdesk_tui.config import ReturnsSettings
from orderdesk_tui.domain import returns as r
from orderdesk_tui.services.returns import policy_from

POLICY = policy_from(ReturnsSettings())
SHIPPED = date(2026, 10, 1)


@pytest.mark.parametrize(
    ("current", "target", "refused"),
    [
        ("requested", "authorised", None),
        ("requested", "received", "cannot receive an RMA that is requested (next: authorise"),
        ("authorised", "received", None),
        ("received", "inspected", None),
        ("received", "dispositioned", "cannot disposition an RMA that is received"),
        ("inspected", "dispositioned", None),
        ("dispositioned", "credited", None),
        ("dispositioned", "replaced", None),
        ("credited", "closed", None),
        ("replaced", "closed", None),
        ("credited", "rejected", "cannot reject an RMA that is credited (next: close)"),
        ("closed", "rejected", "the RMA is closed; nothing more can be done"),
        ("rejected", "authorised", "the RMA is rejected"),
    ],
)
def test_state_machine(current: str, target: str, refused: str | None) -> None:
    why = r.transition_refusal(current, target)
    if refused is None:
        assert why is None
    else:
        assert why is not None and refused in why and why.startswith("rule rma.state")


@pytest.mark.parametrize(
    "state", sorted(r.OPEN_STATES - {r.RmaState.CREDITED, r.RmaState.REPLACED})
)
def test_reject_from_every_open_step_before_settlement(state: str) -> None:
    assert r.transition_refusal(state, "rejected") is None


@pytest.mark.parametrize(
    ("reason", "today", "inside", "deadline"),
    [
        ("ordered_in_error", date(2026, 10, 31), True, date(2026, 10, 31)),
        ("ordered_in_error", date(2026, 11, 1), False, date(2026, 10, 31)),
        ("damaged", date(2026, 10, 16), True, date(2026, 10, 16)),
        ("damaged", date(2026, 10, 17), False, date(2026, 10, 16)),
        ("defective", date(2026, 12, 30), True, date(2026, 12, 30)),
        ("wrong_item", date(2026, 11, 30), True, date(2026, 11, 30)),
        ("excess", date(2026, 12, 1), False, date(2026, 11, 30)),
    ],
)
def test_return_windows_per_reason(reason: str, today: date, inside: bool, deadline: date) -> None:
    check = r.window_check(POLICY, reason, shipped_on=SHIPPED, today=today)
    assert (check.inside, check.deadline) == (inside, deadline)
    assert check.rule.startswith("rule rma.window")


def test_warranty_runs_from_shipment_for_the_item_months() -> None:
    inside = r.window_check(
        POLICY, "warranty", shipped_on=date(2026, 1, 31), today=date(2026, 2, 28),
        warranty_months=1, vendor_warranted=True, vendor_name="Apex",
    )  # fmt: skip
    assert inside.inside and inside.deadline == date(2026, 2, 28) and inside.vendor_recovery
    assert "vendor warranty, Apex" in inside.rule
    late = r.window_check(
        POLICY, "warranty", shipped_on=date(2026, 1, 31), today=date(2026, 3, 1),
        warranty_months=1,
    )  # fmt: skip
    assert not late.inside and not late.vendor_recovery
    none = r.window_check(POLICY, "warranty", shipped_on=SHIPPED, today=SHIPPED)
    assert not none.inside and "carries no warranty" in none.rule


def test_never_shipped_and_unknown_codes_are_refused() -> None:
    with pytest.raises(r.Refusal, match=r"rule rma\.shipped"):
        r.window_check(POLICY, "excess", shipped_on=None, today=SHIPPED)
    with pytest.raises(r.Refusal, match=r"rule rma.reason: 'broken' is not a reason code"):
        r.window_check(POLICY, "broken", shipped_on=SHIPPED, today=SHIPPED)
    with pytest.raises(r.Refusal, match=r"rule rma\.disposition: 'bin' is not a disposition"):
        r.parse_disposition("bin")


@pytest.mark.parametrize(
    ("reason", "tier", "fee"),
    [
        ("excess", "standard", Decimal("20.00")),
        ("excess", "gold", Decimal("10.00")),
        ("excess", "platinum", Decimal("0.00")),
        ("ordered_in_error", "silver", Decimal("15.00")),
        ("defective", "standard", Decimal("0.00")),
        ("excess", "unknown-tier", Decimal("20.00")),
    ],
)
def test_restocking_fee_per_reason_and_tier(reason: str, tier: str, fee: Decimal) -> None:
    assert r.restocking_fee(POLICY, reason, tier, Decimal("100"), "USD") == fee


def test_freight_comes_back_only_when_we_are_at_fault() -> None:
    D = Decimal
    assert r.freight_credit(POLICY, "damaged", D("40"), D("25"), D("100"), "USD") == (
        Decimal("10.00")
    )
    assert r.freight_credit(POLICY, "excess", D("40"), D("25"), D("100"), "USD") == 0
    assert r.freight_credit(POLICY, "damaged", D("40"), D("250"), D("100"), "USD") == (
        Decimal("40.00")
    )


@given(
    shipped=st.decimals(min_value=0, max_value=10_000, places=3),
    returned=st.decimals(min_value=0, max_value=10_000, places=3),
    want=st.decimals(min_value=Decimal("0.001"), max_value=20_000, places=3),
)
def test_never_more_than_shipped_less_returned(
    shipped: Decimal, returned: Decimal, want: Decimal
) -> None:
    try:
        r.check_quantity("P", want, shipped, returned)
    except r.Refusal as refusal:
        assert want > shipped - returned and "rule rma.returnable" in str(refusal)
    else:
        assert want <= shipped - returned


@pytest.mark.parametrize("bad", ["NaN", "sNaN", "Infinity", "-Infinity"])
def test_nan_and_infinities_are_refused_not_compared(bad: str) -> None:
    """Decimal NaN raises InvalidOperation when compared: refused by the rule instead."""
    with pytest.raises(r.Refusal, match=r"rule rma\.quantity: P: .* must be a number"):
        r.check_quantity("P", Decimal(bad), Decimal(5), Decimal(0))
    with pytest.raises(r.Refusal, match=r"rule rma\.received: P: .* must be a number"):
        r.check_received("P", Decimal(bad), Decimal(5))


def test_disposition_needs_inspection_and_a_warehouse_to_restock() -> None:
    raw = r.LineFacts("P-1", Decimal(2))
    with pytest.raises(r.Refusal, match=r"rule rma\.disposition_after_inspection"):
        r.check_disposition(raw, "scrap", None)
    seen = r.LineFacts("P-1", Decimal(2), findings="cracked")
    with pytest.raises(r.Refusal, match=r"rule rma\.restock_warehouse"):
        r.check_disposition(seen, "restock", None)
    assert r.check_disposition(seen, "RESTOCK", 3) == r.Disposition.RESTOCK
    with pytest.raises(r.Refusal, match="nothing of this line was received"):
        r.check_disposition(r.LineFacts("P-2", Decimal(0), findings="x"), "scrap", None)


@pytest.mark.parametrize(
    ("dispositions", "how"),
    [
        (["restock", "scrap"], "credit"),
        (["return_to_vendor"], "credit"),
        (["replace", "repair"], "replace"),
        (["repair"], "none"),
    ],
)
def test_settlement(dispositions: list[str], how: str) -> None:
    lines = [r.LineFacts(f"P{i}", Decimal(1), d, "ok") for i, d in enumerate(dispositions)]
    assert r.all_dispositioned(lines)
    assert r.settlement(lines) == how


def test_one_rma_is_settled_one_way() -> None:
    lines = [r.LineFacts("A", Decimal(1), "replace", "x"), r.LineFacts("B", Decimal(1), "scrap")]
    with pytest.raises(r.Refusal, match=r"rule rma\.settle_one_way"):
        r.settlement(lines)
    assert not r.all_dispositioned([*lines, r.LineFacts("C", Decimal(1))])
    assert r.all_dispositioned([*lines, r.LineFacts("C", Decimal(0))])


def test_authorisation_threshold() -> None:
    assert not r.authorise_needs_supervisor(POLICY, Decimal("1000"))
    assert r.authorise_needs_supervisor(POLICY, Decimal("1000.01"))


def test_settings_refuse_unknown_reasons_and_tiers() -> None:
    with pytest.raises(ValueError, match="'brokn' is not a reason code"):
        ReturnsSettings.model_validate({"window_days": {"brokn": 3}})
    with pytest.raises(ValueError, match="'diamond' is not a customer tier"):
        ReturnsSettings.model_validate({"tier_fee_share_percent": {"diamond": 0}})
    with pytest.raises(ValueError, match="0 to 100 percent"):
        ReturnsSettings.model_validate({"restocking_fee_percent": {"excess": 120}})


def test_fees_and_freight_round_to_the_currency_minor_unit() -> None:
    """A yen fee has no sen, a dinar fee has fils: never 2 places whatever the currency."""
    assert r.restocking_fee(POLICY, "excess", "standard", Decimal("1001"), "JPY") == (
        Decimal("200")
    )
    fee = r.restocking_fee(POLICY, "excess", "standard", Decimal("10.001"), "BHD")
    assert fee == Decimal("2.000")
    assert fee.as_tuple().exponent == -3
    assert r.freight_credit(
        POLICY, "damaged", Decimal("999"), Decimal("1"), Decimal("3"), "JPY"
    ) == (Decimal("333"))
