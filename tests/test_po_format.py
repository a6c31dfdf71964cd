"""PO number formats (domain.po_format): what a mask matches and which masks are refused."""

import pytest

from orderdesk_tui.domain.po_format import mask_problem, matches


@pytest.mark.parametrize(
    ("mask", "po", "expected"),
    [
        ("45########", "4510055301", True),
        ("45########", "451005530", False),  # one short
        ("45########", "45100553011", False),  # one long
        ("45########", "4610055301", False),  # the literal 45
        ("45########", "45100A5301", False),  # a letter where a digit goes
        ("GL###-#####", "GL014-18302", True),
        ("GL###-#####", "gl014-18302", True),  # letters in either case
        ("GL###-#####", "GL014/18302", False),
        ("??-####", "AB-1234", True),
        ("??-####", "A1-1234", False),
        ("PO-*****", "PO-x7/9z", True),
        ("", "", False),  # no format: nothing is "in" it
        ("##", "٣٤", False),  # digits, but not ASCII ones
    ],
)
def test_a_mask_matches_whole_pos_in_its_format(mask: str, po: str, expected: bool) -> None:
    assert matches(mask, po) is expected


def test_masks_without_a_placeholder_or_with_spaces_are_refused() -> None:
    assert mask_problem("") is None and mask_problem("45########") is None
    assert "# for a digit" in (mask_problem("PO-FIXED") or "")
    assert "no spaces" in (mask_problem("PO ####") or "")
    assert "at most 40" in (mask_problem("#" * 41) or "")
