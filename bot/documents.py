"""Documents the bot writes: the draft institution letter and the review conference report, as DOCX bytes.

Platform-neutral: plain data in, bytes out (python-docx). Nothing is saved: the chat surface uploads the
bytes and forgets them. The review conference report's layout lives in `bot/report_document.py`.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document
from docx.document import Document as DocxDocument
from docx.shared import Pt, RGBColor

from bot.letters import LetterDraft

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def new_document(*, title: str, author: str) -> DocxDocument:
    """An empty document with its properties set (no software name or personal data in them)."""
    document = Document()
    properties = document.core_properties
    properties.title, properties.author, properties.last_modified_by = title, author, author
    properties.comments = ""
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Arial", Pt(11)
    return document


def to_bytes(document: DocxDocument) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def add_table(document: DocxDocument, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A simple grid table with a bold header row; an em dash where a row has nothing."""
    table = document.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = ""
        cell.paragraphs[0].add_run(text).bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, text in zip(cells, row, strict=True):
            cell.text = text or "—"


def build_letter_docx(draft: LetterDraft) -> bytes:
    """The draft letter to the head of an institution, with the person's details as marked blanks."""
    document = new_document(
        title=f"Draft letter to the head of an institution — {draft.reference}",
        author=f"Co-ordinator, Children Services, {draft.organisation}",
    )
    heading = document.add_paragraph()
    heading.add_run(draft.organisation).bold = True
    document.add_paragraph("Children Services — Co-ordinator, Children Services")
    warning = document.add_paragraph().add_run(
        "DRAFT — fill in every part in square brackets, check it, and remove this line before sending. "
        "The bot keeps none of what you fill in."
    )
    warning.bold = True
    warning.font.color.rgb = RGBColor(0xB0, 0x00, 0x20)
    for text in draft.paragraphs():
        paragraph = document.add_paragraph()
        run = paragraph.add_run(text)
        if text.startswith("Re: "):
            run.bold = True
    return to_bytes(document)
