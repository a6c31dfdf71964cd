"""Rules for customer master data as typed: codes, countries, postal codes, tax ids, emails and
phone numbers. Pure: each `clean_*` takes the typed strings and returns the values to store, or
raises FieldError(field, rule) for the first field that breaks a rule (the form keeps the text).

Tax ids are checked with python-stdnum (check digits, not only shapes); countries and
subdivisions come from pycountry (ISO 3166); phone numbers are parsed and written in the
international format by phonenumbers (Google's libphonenumber metadata), so every phone in the
store reads the same way and its digits index (migration 0007) finds it however it is typed.
"""

import re
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

import phonenumbers
import pycountry
from stdnum import exceptions as stdnum_errors
from stdnum.ca import bn
from stdnum.eu import vat
from stdnum.mx import rfc
from stdnum.us import ein

from orderdesk_tui.domain import po_format
from orderdesk_tui.errors import FieldError

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{1,19}$")
EMAIL_RE = re.compile(r"^[^@\s,;]+@[^@\s,;]+\.[A-Za-z]{2,}$")
#: Postal code shapes: country -> (pattern on the upper-cased text without spaces, separator
#: written between its groups, what the coordinator is told).
POSTAL: dict[str, tuple[str, str, str]] = {
    "US": (r"(\d{5})-?(\d{4})?", "-", "12345 or 12345-6789"),
    "CA": (r"([ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z])(\d[ABCEGHJ-NPRSTV-Z]\d)", " ", "A1A 1A1"),
    "MX": (r"(\d{5})", "", "5 digits"),
    "DE": (r"(\d{5})", "", "5 digits"),
    "FR": (r"(\d{5})", "", "5 digits"),
    "IT": (r"(\d{5})", "", "5 digits"),
    "ES": (r"((?:0[1-9]|[1-4]\d|5[0-2])\d{3})", "", "5 digits, 01000-52999"),
    "FI": (r"(\d{5})", "", "5 digits"),
    "NL": (r"([1-9]\d{3})([A-Z]{2})", " ", "1234 AB"),
    "BE": (r"([1-9]\d{3})", "", "4 digits"),
    "AT": (r"([1-9]\d{3})", "", "4 digits"),
    "DK": (r"([1-9]\d{3})", "", "4 digits"),
    "PL": (r"(\d{2})-?(\d{3})", "-", "12-345"),
    "PT": (r"(\d{4})-?(\d{3})", "-", "1234-567"),
    "SE": (r"(\d{3})(\d{2})", " ", "123 45"),
    "CZ": (r"(\d{3})(\d{2})", " ", "123 45"),
    "IE": (r"([AC-FHKNPRTV-Y]\d{2}|D6W)([0-9AC-FHKNPRTV-Y]{4})", " ", "A65 F4E2 (Eircode)"),
}

#: Tax id kinds and their stdnum checkers (EU VAT numbers carry their country prefix).
TAX_IDS: dict[str, Any] = {"EIN": ein, "BN": bn, "RFC": rfc, "VAT": vat}
INCOTERMS = frozenset({"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"})
FREIGHT_TERMS = ("prepaid", "collect", "prepaid_add", "third_party")
SERVICE_TIERS = ("platinum", "gold", "silver", "standard")
ADDRESS_KINDS = ("bill_to", "ship_to")


def _text(
    values: Mapping[str, str], name: str, label: str, max_len: int, *, required: bool = False
) -> str:
    value = " ".join(str(values.get(name, "")).split())
    if required and not value:
        raise FieldError(label, "is required")
    if len(value) > max_len:
        raise FieldError(label, f"at most {max_len} characters")
    return value


def clean_code(value: str, label: str = "code") -> str:
    code = value.strip().upper()
    if not CODE_RE.match(code):
        raise FieldError(label, "2-20 letters, digits, - or _, starting with a letter or digit")
    return code


def clean_country(value: str, label: str = "country") -> str:
    """ISO 3166-1 alpha-2; a three-letter code is accepted and written as its two letters."""
    typed = value.strip().upper()
    found = None
    if len(typed) == 2:
        found = pycountry.countries.get(alpha_2=typed)
    elif len(typed) == 3:
        found = pycountry.countries.get(alpha_3=typed)
    if found is None:
        raise FieldError(label, "an ISO 3166 country code (US, CA, MX, DE ...)")
    return str(found.alpha_2)


def clean_region(value: str, country: str, label: str = "region") -> str:
    """US states and Canadian provinces as their ISO 3166-2 codes (IL, ON); else free text."""
    region = value.strip()
    if country in ("US", "CA"):
        region = region.upper()
        if not region:
            raise FieldError(label, f"is required in {country} (state or province code)")
        # pycountry leaves Subdivisions.get (its override of the typed Database.get) unannotated
        found = pycountry.subdivisions.get(code=f"{country}-{region}")  # type: ignore[no-untyped-call]
        if found is None:
            raise FieldError(label, f"not a {country} state or province code")
    return region


def clean_postal_code(value: str, country: str, label: str = "postal code") -> str:
    typed = value.strip().upper()
    shape = POSTAL.get(country)
    if shape is None:
        if len(typed) > 20:
            raise FieldError(label, "at most 20 characters")
        return typed
    pattern, separator, example = shape
    match = re.fullmatch(pattern, re.sub(r"\s+", "", typed))
    if not typed or match is None:
        raise FieldError(label, f"{country} postal codes read {example}")
    return separator.join(group for group in match.groups() if group)


def clean_email(value: str, label: str = "email") -> str:
    email = value.strip()
    if not email:
        return ""
    if len(email) > 120 or not EMAIL_RE.match(email):
        raise FieldError(label, "not an email address (name@domain.tld)")
    local, _, domain = email.rpartition("@")
    return f"{local}@{domain.lower()}"


def clean_phone(value: str, country: str = "US", label: str = "phone") -> str:
    """The number in international format (+1 773-555-0142, ext. kept); empty stays empty."""
    typed = value.strip()
    if not typed:
        return ""
    try:
        number = phonenumbers.parse(typed, country or "US")
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_valid_number(number):
        where = f" for {country}" if country and not typed.startswith("+") else ""
        raise FieldError(label, f"not a valid phone number{where} (+country code for abroad)")
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL))


def clean_tax_id(value: str, kind: str, country: str, label: str = "tax id") -> tuple[str, str]:
    """(tax id, kind), checked with its check digits; the kind follows the country if blank."""
    typed = value.strip().upper()
    kind = kind.strip().upper()
    if not typed:
        return "", kind if kind in TAX_IDS else ""
    if not kind:
        kind = {"US": "EIN", "CA": "BN", "MX": "RFC"}.get(country, "VAT")
    module = TAX_IDS.get(kind)
    if module is None:
        raise FieldError("tax id type", f"one of {', '.join(TAX_IDS)}")
    if kind == "VAT" and typed[:2].isdigit() and country:
        typed = ("EL" if country == "GR" else country) + typed  # the prefix is part of it
    try:
        number = module.validate(typed)
    except stdnum_errors.ValidationError as exc:
        raise FieldError(label, f"not a valid {kind}: {str(exc).rstrip('.').lower()}") from None
    formatted = module.format(number) if hasattr(module, "format") else number
    return str(formatted), kind


def _choice(value: str, choices: tuple[str, ...], label: str) -> str:
    typed = value.strip().lower()
    if typed not in choices:
        raise FieldError(label, f"one of {', '.join(choices)}")
    return typed


def _decimal(value: str, label: str, places: int = 2) -> Decimal:
    try:
        amount = Decimal(value.strip().replace(",", "") or "0")
    except InvalidOperation:
        raise FieldError(label, "a number") from None
    if amount < 0 or amount.as_tuple().exponent < -places:  # type: ignore[operator]
        raise FieldError(label, f"zero or more, at most {places} decimals")
    return amount.quantize(Decimal(1).scaleb(-places))


def _int(value: str, label: str, low: int, high: int) -> int:
    try:
        number = int(value.strip() or "0")
    except ValueError:
        raise FieldError(label, "a whole number") from None
    if not low <= number <= high:
        raise FieldError(label, f"between {low} and {high}")
    return number


#: Customer fields as the form types them, and how each is cleaned.
CUSTOMER_FIELDS = (
    "code",
    "name",
    "phone",
    "email",
    "currency",
    "payment_terms",
    "payment_terms_days",
    "credit_limit",
    "tax_id",
    "tax_id_type",
    "customer_group",
    "freight_terms",
    "incoterm",
    "incoterm_place",
    "default_ship_via",
    "service_tier",
    "po_format",
)


def clean_customer(values: Mapping[str, str], country: str = "US") -> dict[str, Any]:
    """Every customer field of `values` (those present) cleaned, in form order.

    `country` is the bill-to's: it decides how a phone without + and a tax id are read."""
    out: dict[str, Any] = {}
    for name in CUSTOMER_FIELDS:
        if name not in values:
            continue
        raw = str(values[name])
        if name == "code":
            out[name] = clean_code(raw)
        elif name == "name":
            out[name] = _text(values, name, "name", 120, required=True)
        elif name == "phone":
            out[name] = clean_phone(raw, country)
        elif name == "email":
            out[name] = clean_email(raw)
        elif name == "currency":
            code = raw.strip().upper()
            if pycountry.currencies.get(alpha_3=code) is None:
                raise FieldError("currency", "an ISO 4217 code (USD, CAD, EUR ...)")
            out[name] = code
        elif name == "payment_terms":
            out[name] = _text(values, name, "payment terms", 20, required=True).upper()
        elif name == "payment_terms_days":
            out[name] = _int(raw, "payment terms days", 0, 365)
        elif name == "credit_limit":
            out[name] = _decimal(raw, "credit limit")
        elif name == "tax_id":
            out["tax_id"], out["tax_id_type"] = clean_tax_id(
                raw, str(values.get("tax_id_type", "")), country
            )
        elif name == "tax_id_type" and "tax_id" not in values:
            kind = raw.strip().upper()
            if kind and kind not in TAX_IDS:
                raise FieldError("tax id type", f"one of {', '.join(TAX_IDS)}")
            out[name] = kind
        elif name == "customer_group":
            out[name] = _text(values, name, "customer group", 30).lower()
        elif name == "freight_terms":
            out[name] = _choice(raw, FREIGHT_TERMS, "freight terms")
        elif name == "incoterm":
            term = raw.strip().upper()
            if term and term not in INCOTERMS:
                raise FieldError("incoterm", "an Incoterms 2020 rule (EXW, FCA, DAP, DDP ...)")
            out[name] = term
        elif name == "incoterm_place":
            out[name] = _text(values, name, "incoterm place", 80)
        elif name == "default_ship_via":
            out[name] = _text(values, name, "ship via", 40).upper()
        elif name == "service_tier":
            out[name] = _choice(raw, SERVICE_TIERS, "service tier")
        elif name == "po_format":
            mask = raw.strip()
            if (problem := po_format.mask_problem(mask)) is not None:
                raise FieldError("PO format", problem)
            out[name] = mask
    return out


ADDRESS_FIELDS = (
    "code",
    "kind",
    "name",
    "line1",
    "line2",
    "city",
    "region",
    "postal_code",
    "country",
    "phone",
    "dock_hours",
    "routing_notes",
)


def clean_address(values: Mapping[str, str]) -> dict[str, Any]:
    country = clean_country(str(values.get("country", "")))
    return {
        "code": clean_code(str(values.get("code", "")), "address code"),
        "kind": _choice(str(values.get("kind", "")), ADDRESS_KINDS, "kind"),
        "name": _text(values, "name", "name", 120, required=True),
        "line1": _text(values, "line1", "street", 120, required=True),
        "line2": _text(values, "line2", "street line 2", 120),
        "city": _text(values, "city", "city", 80, required=True),
        "region": clean_region(str(values.get("region", "")), country),
        "postal_code": clean_postal_code(str(values.get("postal_code", "")), country),
        "country": country,
        "phone": clean_phone(str(values.get("phone", "")), country),
        "dock_hours": _text(values, "dock_hours", "dock hours", 80),
        "routing_notes": _text(values, "routing_notes", "routing notes", 400),
    }


CONTACT_FIELDS = ("name", "title", "email", "phone")


def clean_contact(values: Mapping[str, str], country: str = "US") -> dict[str, Any]:
    return {
        "name": _text(values, "name", "name", 120, required=True),
        "title": _text(values, "title", "title", 80),
        "email": clean_email(str(values.get("email", ""))),
        "phone": clean_phone(str(values.get("phone", "")), country),
    }


def name_key(name: str) -> str:
    """A company name without case, punctuation and legal suffixes, to suspect duplicates."""
    words = re.sub(r"[^a-z0-9 ]+", " ", name.lower()).split()
    suffixes = {"inc", "llc", "ltd", "co", "corp", "corporation", "company", "gmbh", "sa", "the"}
    return " ".join(w for w in words if w not in suffixes)
