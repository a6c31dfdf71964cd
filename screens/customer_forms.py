"""Forms for customer master data: new customer (with its bill-to), customer, address, contact.

Each is a FormDialog over `services.customer_master`; the dialog keeps what was typed through
every refusal (a rule, a suspected duplicate, someone else's save). The form is read in a
thread before it opens (the version it was read at is what the save checks). The screen that
opens a form says what follows a save (`then`, `opened`): the forms know no other screen.
"""

from collections.abc import Callable

from orderdesk_tui.models import Address, Contact
from orderdesk_tui.services import customer_master as cm
from orderdesk_tui.services.desk import Desk
from screens.base import DeskScreen
from screens.dialogs import FormContext, FormDialog, FormField, Reread

CUSTOMER_LABELS = {
    "code": ("code", "letters and digits, e.g. ACME02"),
    "name": ("name", "company name"),
    "phone": ("phone", "773 555 0142; +49 30 1234567 abroad"),
    "email": ("email", "orders@example.com"),
    "currency": ("currency", "USD, CAD, MXN, EUR"),
    "payment_terms": ("payment terms", "NET30"),
    "payment_terms_days": ("payment terms days", "30"),
    "credit_limit": ("credit limit", "supervisors only"),
    "tax_id": ("tax id", "EIN, BN, RFC or EU VAT number"),
    "tax_id_type": ("tax id type", "EIN, BN, RFC, VAT (blank: from the country)"),
    "customer_group": ("customer group", "oem, mro, distributor ..."),
    "freight_terms": ("freight terms", "prepaid, collect, prepaid_add, third_party"),
    "incoterm": ("incoterm", "EXW, FCA, DAP, DDP ... (export)"),
    "incoterm_place": ("incoterm place", "named place"),
    "default_ship_via": ("ship via", "UPS GROUND"),
    "service_tier": ("service tier", "platinum, gold, silver, standard"),
    "po_format": ("PO format", "# digit, ? letter, * any: 45######## (blank: none)"),
}
ADDRESS_LABELS = {
    "code": ("address code", "the customer's code, e.g. ST-02"),
    "kind": ("kind", "ship_to or bill_to"),
    "name": ("name", "name on the label"),
    "line1": ("street", ""),
    "line2": ("street line 2", "dock, building, suite"),
    "city": ("city", ""),
    "region": ("region", "state or province code (IL, ON)"),
    "postal_code": ("postal code", ""),
    "country": ("country", "ISO code: US, CA, MX, DE ..."),
    "phone": ("phone", "receiving phone"),
    "dock_hours": ("dock hours", "Mon-Fri 07:00-15:00"),
    "routing_notes": ("routing notes", "appointment, door, liftgate ..."),
}
CONTACT_LABELS = {
    "name": ("name", ""),
    "title": ("title", ""),
    "email": ("email", ""),
    "phone": ("phone", ""),
}
NEW_CUSTOMER_DEFAULTS = {
    "currency": "USD",
    "payment_terms": "NET30",
    "payment_terms_days": "30",
    "credit_limit": "0",
    "freight_terms": "prepaid_add",
    "service_tier": "standard",
}


def _fields(
    labels: dict[str, tuple[str, str]], values: dict[str, str], prefix: str = ""
) -> list[FormField]:
    label_prefix = "bill-to " if prefix else ""
    return [
        FormField(prefix + name, label_prefix + label, values.get(name, ""), hint)
        for name, (label, hint) in labels.items()
    ]


def _reread(desk: Desk, entity: str, row_id: int) -> Callable[[], Reread]:
    def read() -> Reread:
        form = cm.read_form(desk.store, entity, row_id)
        return Reread(form.values, form.version, form.last_changed_by)

    return read


def _done(
    screen: DeskScreen, message: str, then: Callable[[], object] | None
) -> Callable[[object | None], None]:
    def finished(result: object | None) -> None:
        if result is None:
            return
        screen.app.notify(message)
        if then is not None:
            then()

    return finished


def new_customer(screen: DeskScreen, typed: str, opened: Callable[[int], None]) -> None:
    """A new customer and its bill-to; `opened` gets the new customer's id once saved."""
    desk = screen.desk
    values = dict(NEW_CUSTOMER_DEFAULTS)
    if typed.strip():
        values["name"] = typed.strip()
    fields = _fields(CUSTOMER_LABELS, values)
    fields += _fields(
        {k: v for k, v in ADDRESS_LABELS.items() if k not in ("code", "kind", "dock_hours")},
        {"country": "US"},
        prefix="bill_to.",
    )

    def save(form: dict[str, str], context: FormContext) -> int:
        customer = {k: v for k, v in form.items() if not k.startswith("bill_to.")}
        bill_to = {k[8:]: v for k, v in form.items() if k.startswith("bill_to.")}
        if not bill_to.get("name"):
            bill_to["name"] = customer.get("name", "")
        created = cm.create_customer(
            desk.store,
            customer,
            bill_to,
            actor=desk.user,
            confirm_duplicates=context.confirm_duplicates,
        )
        return created.id or 0

    def created(customer_id: int | None) -> None:
        if customer_id:
            screen.app.notify("customer created")
            opened(customer_id)

    screen.app.push_screen(FormDialog("New customer", fields, save), created)


def edit_customer(
    screen: DeskScreen, customer_id: int, *, then: Callable[[], object] | None = None
) -> None:
    desk = screen.desk

    def open_form() -> None:
        form = cm.read_form(desk.store, "customers", customer_id)
        screen.app.call_from_thread(show, form)

    def show(form: cm.FormState) -> None:
        labels = {k: v for k, v in CUSTOMER_LABELS.items() if k != "code"}

        def save(values: dict[str, str], context: FormContext) -> bool:
            assert context.version is not None
            cm.update_customer(
                desk.store,
                customer_id,
                values,
                expected_version=context.version,
                actor=desk.user,
            )
            return True

        screen.app.push_screen(
            FormDialog(
                f"Customer {form.values['code']}",
                _fields(labels, form.values),
                save,
                version=form.version,
                reread=_reread(desk, "customers", customer_id),
            ),
            _done(screen, "customer saved", then),
        )

    screen.run_worker(open_form, thread=True, group="form-read", exit_on_error=False)


def edit_address(
    screen: DeskScreen,
    customer_id: int,
    address: Address | None,
    *,
    then: Callable[[], object] | None = None,
) -> None:
    """Change `address`, or add a ship-to when it is None."""
    desk = screen.desk
    values = {k: str(getattr(address, k)) for k in ADDRESS_LABELS} if address else {}
    if address is None:
        values = {"kind": "ship_to", "country": "US"}
    values["default"] = "yes" if address is not None and address.is_default else "no"
    fields = _fields(ADDRESS_LABELS, values)
    fields.append(FormField("default", "default", values["default"], "yes or no"))

    def save(form: dict[str, str], context: FormContext) -> bool:
        make_default = form.pop("default", "no").strip().lower() in ("y", "yes")
        cm.save_address(
            desk.store,
            customer_id,
            form,
            actor=desk.user,
            address_id=address.id if address else None,
            expected_version=context.version,
            make_default=make_default,
            confirm_duplicates=context.confirm_duplicates,
        )
        return True

    title = f"Address {address.code}" if address else "New address"
    screen.app.push_screen(
        FormDialog(
            title,
            fields,
            save,
            version=address.version if address else None,
            reread=_reread(desk, "addresses", address.id or 0) if address else None,
        ),
        _done(screen, "address saved", then),
    )


def edit_contact(
    screen: DeskScreen,
    customer_id: int,
    contact: Contact | None,
    *,
    then: Callable[[], object] | None = None,
) -> None:
    desk = screen.desk
    values = {k: str(getattr(contact, k)) for k in CONTACT_LABELS} if contact else {}
    fields = _fields(CONTACT_LABELS, values)
    primary = "yes" if contact is not None and contact.is_primary else "no"
    fields.append(FormField("primary", "primary", primary, "yes or no"))

    def save(form: dict[str, str], context: FormContext) -> bool:
        make_primary = form.pop("primary", "no").strip().lower() in ("y", "yes")
        cm.save_contact(
            desk.store,
            customer_id,
            form,
            actor=desk.user,
            contact_id=contact.id if contact else None,
            expected_version=context.version,
            make_primary=make_primary,
        )
        return True

    screen.app.push_screen(
        FormDialog(
            f"Contact {contact.name}" if contact else "New contact",
            fields,
            save,
            version=contact.version if contact else None,
            reread=_reread(desk, "contacts", contact.id or 0) if contact else None,
        ),
        _done(screen, "contact saved", then),
    )
