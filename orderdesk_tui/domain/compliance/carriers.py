"""The carriers: which take hazmat and which classes they refuse, found from a free-text ship-via
by code, name or alias; read from the carriers CSV."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from orderdesk_tui.domain.compliance.names import plain_tokens
from orderdesk_tui.domain.compliance.reference_files import (
    ReferenceDataError,
    read_records,
    split_list,
    yes_no,
)


def _normal_carrier(text: str) -> str:
    return " ".join(plain_tokens(re.sub(r"\([^)]*\)", " ", text)))


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    hazmat_capable: bool
    modes: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    excluded_classes: tuple[str, ...] = ()
    notes: str = ""

    def refuses_class(self, hazard_class: str) -> bool:
        """True if the carrier refuses `hazard_class` ('1' refuses '1.4'; '1.1' not '1.4')."""
        cls = hazard_class.strip()
        return any(cls == ex or cls.startswith(ex + ".") for ex in self.excluded_classes)


class CarrierTable:
    """The carriers, found from a free-text ship-via by code, name or alias, or by the
    longest of those that starts it ('Customer carrier - El Paso crossdock')."""

    def __init__(self, carriers: Sequence[Carrier]) -> None:
        self.carriers = tuple(carriers)
        self._names: dict[str, Carrier] = {}
        for carrier in self.carriers:
            for text in (carrier.code, carrier.name, *carrier.aliases):
                key = _normal_carrier(text)
                if key:
                    self._names.setdefault(key, carrier)

    def find(self, ship_via: str) -> Carrier | None:
        key = _normal_carrier(ship_via)
        if not key:
            return None
        if key in self._names:
            return self._names[key]
        best: tuple[int, Carrier] | None = None
        for name, carrier in self._names.items():
            if (key.startswith(name + " ")) and (best is None or len(name) > best[0]):
                best = (len(name), carrier)
        return best[1] if best else None


def parse_carriers(lines: Iterable[str], file: str) -> CarrierTable:
    out: list[Carrier] = []
    for line, row in read_records(lines, file, ["code", "name", "hazmat_capable"]):
        code, name = row["code"].strip(), row["name"].strip()
        if not code or not name:
            raise ReferenceDataError(file, line, "a carrier needs a code and a name")
        out.append(
            Carrier(
                code=code,
                name=name,
                hazmat_capable=yes_no(row["hazmat_capable"], file, line, "hazmat_capable"),
                modes=split_list(row.get("modes") or ""),
                aliases=split_list(row.get("aliases") or ""),
                excluded_classes=split_list(row.get("hazmat_excluded_classes") or ""),
                notes=(row.get("notes") or "").strip(),
            )
        )
    return CarrierTable(out)
