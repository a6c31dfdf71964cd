"""Text from users, the store or the ERP inside Textual content markup, shown as it is.

`rich.markup.escape` is not enough for Textual's markup parser: it leaves `[ bold]x` (a tag
with a space) and `[$x]` (a variable, which then vanishes) to be parsed. Textual reads `\\[`
as a literal bracket and leaves backslashes alone, so escaping every `[` is exact.
Rich markup (`Text.from_markup`) differs on backslashes: use `rich.markup.escape` there.
"""

from collections.abc import Iterable

from rich.markup import escape as rich_escape


def escape(text: str) -> str:
    """`text` for a Static, Label or notice whose other parts are markup: never a tag."""
    return text.replace("[", "\\[")


def cells(values: Iterable[object]) -> tuple[object, ...]:
    """A DataTable row shown as it is: Textual parses a str cell as Rich markup, so a note
    reading `[/]` would stop the table from drawing."""
    return tuple(rich_escape(v) if isinstance(v, str) else v for v in values)
