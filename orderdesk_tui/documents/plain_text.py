"""The fixed-width text layout the documents share (the screen and e-mail bodies): the page
width and wrapping that never cuts a word."""

import textwrap
from collections.abc import Sequence

#: Widest line a document's text rendition produces.
TEXT_WIDTH = 100


def wrap(text: str, width: int, *, indent: str = "", hanging: str | None = None) -> list[str]:
    """`text` wrapped to `width`, paragraph by paragraph; long words are broken, never cut."""
    out: list[str] = []
    for paragraph in text.replace("\t", "    ").splitlines() or [""]:
        wrapped = textwrap.wrap(
            paragraph,
            width,
            initial_indent=indent,
            subsequent_indent=indent if hanging is None else hanging,
            break_on_hyphens=False,
        )
        out.extend(wrapped or [""])
    return out


def side_by_side(left: Sequence[str], right: Sequence[str], width: int = 50) -> list[str]:
    """Two columns of lines, the right one starting at column `width`."""
    rows = max(len(left), len(right))
    return [
        (
            f"{left[i] if i < len(left) else '':<{width}}{right[i] if i < len(right) else ''}"
        ).rstrip()
        for i in range(rows)
    ]
