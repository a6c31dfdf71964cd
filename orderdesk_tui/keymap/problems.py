"""KeymapProblem: one thing wrong with a bindings file, and how problems are listed."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class KeymapProblem:
    """One thing wrong with a bindings file, reported as one line."""

    file: str
    line: int | None
    binding_id: str
    message: str
    severity: Literal["error", "warning"]

    def __str__(self) -> str:
        # "{file}:{line}: {binding_id}: {message}"; a missing line or id is left out.
        parts = [self.file if self.line is None else f"{self.file}:{self.line}"]
        if self.binding_id:
            parts.append(self.binding_id)
        parts.append(self.message)
        return ": ".join(parts)


def format_problems(problems: Iterable[KeymapProblem]) -> list[str]:
    """One line per problem, prefixed with its severity: ``"error: file:3: id: message"``."""
    return [f"{problem.severity}: {problem}" for problem in problems]
