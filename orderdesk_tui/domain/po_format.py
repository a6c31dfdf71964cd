"""A customer's PO number format: a mask its purchase orders follow.

EDI trading partners and customers buying from an ERP number their POs one fixed way (SAP
`45########`, a branch code and a sequence `GL###-#####`). With the format on the customer,
order entry moves on from a PO field that holds a whole PO in that format, as it does from a
whole customer code, and warns about a PO that does not follow it (a mistyped or a
wrong customer's PO).

Mask characters: `#` a digit, `?` a letter, `*` any character; anything else stands for itself
(letters in either case).
"""

DIGIT, LETTER, ANY = "#", "?", "*"
PLACEHOLDERS = (DIGIT, LETTER, ANY)
MAX_LENGTH = 40


def _fits(mask_char: str, char: str) -> bool:
    if mask_char == DIGIT:
        return char.isascii() and char.isdigit()
    if mask_char == LETTER:
        return char.isascii() and char.isalpha()
    if mask_char == ANY:
        return True
    return char.upper() == mask_char.upper()


def matches(mask: str, po: str) -> bool:
    """`po` is a whole PO in the format of `mask` (an empty mask matches nothing)."""
    return bool(mask) and len(po) == len(mask) and all(map(_fits, mask, po))


def mask_problem(mask: str) -> str | None:
    """Why `mask` cannot be a PO format (None: it can; empty means no format)."""
    if not mask:
        return None
    if len(mask) > MAX_LENGTH:
        return f"at most {MAX_LENGTH} characters"
    if any(ch.isspace() for ch in mask):
        return "no spaces: POs are keyed without them"
    if not any(ch in PLACEHOLDERS for ch in mask):
        return "# for a digit, ? for a letter or * for any character somewhere, e.g. 45########"
    return None
