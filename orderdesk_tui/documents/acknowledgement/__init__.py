"""The order acknowledgement: what we tell the customer we will ship, when, and for how much.

`load.load_acknowledgement` reads the order into a frozen `model.Acknowledgement` of plain
values; `text.render_text` lays it out as fixed-width text (the screen, e-mail bodies) and
`pdf.render_pdf` as an A4 or Letter PDF; `wording` holds the sentences both say.
`write_acknowledgement` here does all three and files the PDF under the data directory.
"""

from pathlib import Path

from orderdesk_tui.documents.acknowledgement.load import load_acknowledgement
from orderdesk_tui.documents.acknowledgement.pdf import ack_pdf_filename, render_pdf
from orderdesk_tui.documents.acknowledgement.text import render_text
from orderdesk_tui.documents.company import DEFAULT_COMPANY, Company
from orderdesk_tui.documents.pdf import PageFormat
from orderdesk_tui.paths import data_dir
from orderdesk_tui.store import Store


def write_acknowledgement(
    store: Store,
    order_id: int,
    *,
    revision: int | None = None,
    directory: Path | None = None,
    company: Company = DEFAULT_COMPANY,
    page_format: PageFormat = "A4",
    compress: bool = True,
) -> tuple[str, Path]:
    """Render order `order_id`'s acknowledgement of `revision` (default: its current one) as
    text and as a PDF filed under `directory` (default: `<data dir>/acknowledgements`; a
    revision's file is `<order>-r<N>.pdf`); returns (text, PDF path)."""
    ack = load_acknowledgement(store, order_id, revision=revision, company=company)
    target = directory if directory is not None else data_dir() / "acknowledgements"
    target.mkdir(parents=True, exist_ok=True)
    path = render_pdf(
        ack, target / ack_pdf_filename(ack), page_format=page_format, compress=compress
    )
    return render_text(ack), path
