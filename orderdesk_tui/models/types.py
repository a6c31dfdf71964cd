"""Column types for money and quantities.

Money is `Decimal` with a fixed scale everywhere. PostgreSQL stores it as NUMERIC; SQLite has no
exact decimal type (NUMERIC affinity means a float), so there it is stored as an integer count of
the smallest unit (cents for scale 2). Either way Python only ever sees a quantized `Decimal`, and
`SUM()` over the column stays exact.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import BigInteger, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class ScaledDecimal(TypeDecorator[Decimal]):
    """A Decimal with `scale` places: NUMERIC(18, scale) on PostgreSQL, scaled BIGINT on SQLite."""

    impl = BigInteger
    cache_ok = True

    def __init__(self, scale: int = 2) -> None:
        super().__init__()
        self.scale = scale
        self.quantum = Decimal(1).scaleb(-scale)

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(Numeric(18, self.scale, asdecimal=True))

    def quantize(self, value: Decimal | int | str) -> Decimal:
        if isinstance(value, float):
            raise TypeError("money and quantities are Decimal, never float")
        return Decimal(value).quantize(self.quantum, rounding=ROUND_HALF_UP)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = self.quantize(value)
        if dialect.name == "sqlite":
            return int(exact.scaleb(self.scale))
        return exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            return Decimal(int(value)).scaleb(-self.scale).quantize(self.quantum)
        return Decimal(value).quantize(self.quantum)

    def __repr__(self) -> str:
        return f"ScaledDecimal({self.scale})"

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


#: Amounts of money: totals, limits, fees (2 places).
Money = ScaledDecimal(2)
#: Unit prices and costs (4 places, as price lists quote them).
UnitPrice = ScaledDecimal(4)
#: Quantities in the item's unit; 3 places covers units sold by length or weight.
Quantity = ScaledDecimal(3)
#: Percentages such as discounts (2 places, 12.50 = 12.5 %).
Percent = ScaledDecimal(2)
