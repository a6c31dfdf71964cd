"""How every document writes a date and a postal address, in its text and in its PDF alike."""

from datetime import date

from orderdesk_tui.models import Address


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value is not None else ""


def address_lines(address: Address | None) -> tuple[str, ...]:
    """The address as printed lines: name, street lines, city line, and the country unless US."""
    if address is None:
        return ()
    city = ", ".join(p for p in (address.city, f"{address.region} {address.postal_code}") if p)
    lines = [address.name, address.line1, address.line2, city.strip(" ,")]
    if address.country and address.country != "US":
        lines.append(address.country)
    return tuple(line.strip() for line in lines if line and line.strip())
