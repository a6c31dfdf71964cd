"""The tables seed --scale fills: the columns it generates (in the order its tuples are built)
and what fills the others."""

import importlib
from typing import Any

from sqlalchemy.sql.schema import ScalarElementColumnDefault
from sqlmodel import SQLModel

from orderdesk_tui.errors import StoreError
from orderdesk_tui.models.types import ScaledDecimal

#: table -> columns indexed for free-text lookup (migrations 0002 and 0007): their FTS tables
#: on SQLite, rebuilt after the load.
SEARCHED: dict[str, tuple[str, ...]] = {
    **importlib.import_module("orderdesk_tui.migrations.versions.0002_search_indexes").SEARCHED,
    **importlib.import_module(
        "orderdesk_tui.migrations.versions.0007_customer_lookup_indexes"
    ).SEARCHED,
}


# -- table layouts (the order the tuples below are built in) -----------------------------------

COLUMNS: dict[str, tuple[str, ...]] = {
    "warehouses": (
        "id", "code", "name", "line1", "city", "region", "postal_code", "country",
        "hazmat_capable", "active", "version",
    ),
    "items": (
        "id", "part_number", "description", "category", "uom", "fractional_uom", "moq",
        "order_multiple", "list_price", "cost", "weight_kg", "upc", "hs_code",
        "country_of_origin", "eccn", "hazmat_un_number", "hazmat_class", "lead_time_days",
        "status", "replacement_item_id", "drop_ship_allowed", "warranty_months",
        "vendor_warranted", "vendor_name", "created_at", "updated_at", "version",
    ),
    "customers": (
        "id", "code", "name", "phone", "email", "currency", "payment_terms",
        "payment_terms_days", "credit_limit", "credit_status", "overdue_grace_days", "tax_id",
        "tax_id_type", "tax_exempt_certificate", "price_list_id", "customer_group",
        "freight_terms", "free_freight_threshold", "incoterm", "incoterm_place",
        "default_ship_via", "edi_qualifier", "edi_partner_id", "service_tier", "active",
        "created_at", "updated_at", "version",
    ),
    "addresses": (
        "id", "customer_id", "code", "kind", "name", "line1", "line2", "city", "region",
        "postal_code", "country", "phone", "dock_hours", "routing_notes", "is_default",
        "active", "version",
    ),
    "contacts": ("id", "customer_id", "name", "title", "email", "phone", "is_primary", "version"),
    "sales_orders": (
        "id", "number", "customer_id", "customer_po", "bill_to_id", "ship_to_id", "state",
        "source", "priority", "ship_via", "ship_complete", "freight_terms", "incoterm",
        "incoterm_place", "currency", "payment_terms", "notes", "received_at", "entered_at",
        "requested_date", "first_promised_date", "last_promised_date", "acknowledged_at",
        "released_at", "shipped_at", "invoiced_at", "closed_at", "cancelled_at",
        "cancel_reason", "entered_by", "assigned_to", "subtotal", "freight", "tax", "total",
        "erp_id", "erp_number", "created_at", "updated_at", "version",
    ),
    "sales_order_lines": (
        "id", "order_id", "line_no", "item_id", "part_number", "customer_part_number",
        "description", "quantity", "uom", "list_price", "unit_price", "price_source",
        "discount_percent", "override_reason", "extended", "warehouse_id",
        "quantity_allocated", "quantity_shipped", "quantity_backordered", "quantity_cancelled",
        "requested_date", "first_promised_date", "last_promised_date", "shipped_date",
        "drop_ship", "version",
    ),
    "holds": (
        "id", "order_id", "kind", "reason", "raised_by", "raised_at", "released_by",
        "released_at", "release_reason", "version",
    ),
    "stock_levels": (
        "id", "item_id", "warehouse_id", "on_hand", "allocated", "bin_location", "updated_at",
        "version",
    ),
}  # fmt: skip
#: Tables that must be empty before seeding (ids are assigned from 1).
FILLED = tuple(COLUMNS)


def storage_form(column: Any, value: Any) -> Any:
    """A model default in the form the tuples carry (scaled int for ScaledDecimal, 0/1 bools)."""
    if isinstance(column.type, ScaledDecimal):
        return int(column.type.quantize(value).scaleb(column.type.scale))
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, str):
        return str(value)  # a StrEnum member as its plain value
    if isinstance(value, int) or value is None:
        return value
    raise TypeError(f"no storage form for default {value!r} of {column}")


def table_layout() -> dict[str, tuple[tuple[str, ...], tuple[Any, ...]]]:
    """table -> (every column to write, values appended to each generated row).

    Columns this module does not generate (added to the models later) get their model default;
    one without a constant default that is NOT NULL stops the seed before it writes anything.
    """
    layout = {}
    for table, columns in COLUMNS.items():
        sa_table = SQLModel.metadata.tables[table]
        unknown = sorted(set(columns) - set(sa_table.c.keys()))
        if unknown:
            raise StoreError(f"seed --scale writes columns {table} no longer has: {unknown}")
        extra_names: list[str] = []
        extra_values: list[Any] = []
        for column in sa_table.c:
            if column.name in columns:
                continue
            default = column.default
            if isinstance(default, ScalarElementColumnDefault):  # a constant (`is_scalar`)
                value = storage_form(column, default.arg)
            elif column.nullable:
                value = None
            else:
                raise StoreError(
                    f"seed --scale does not know how to fill {table}.{column.name} (NOT NULL, "
                    "no constant default)"
                )
            extra_names.append(column.name)
            extra_values.append(value)
        layout[table] = ((*columns, *extra_names), tuple(extra_values))
    return layout
