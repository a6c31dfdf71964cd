"""Who sends our documents: the company's name, address, contact and standing terms note, printed
at the top of every acknowledgement, return authorisation and credit memo."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Company:
    """Who sends the document: our name, address and the standing terms note."""

    name: str
    address_lines: tuple[str, ...]
    phone: str = ""
    email: str = ""
    terms_note: str = (
        "Please check this acknowledgement against your purchase order and tell us of any "
        "difference within two business days. Promised dates are our best estimate from current "
        "stock and supplier commitments. All sales are subject to our standard terms and "
        "conditions of sale."
    )


DEFAULT_COMPANY = Company(
    name="Midwest Industrial Supply Co.",
    address_lines=("1400 Commerce Drive", "Peoria, IL 61602", "USA"),
    phone="+1 309 555 0140",
    email="orders@midwestindustrial.example",
)
