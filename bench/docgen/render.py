"""Draw layout blocks into a born-digital PDF with a Korean font (reportlab platypus)."""

from __future__ import annotations

import io
from functools import cache
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

NANUM = Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")
CID_FONT = "HYSMyeongJo-Medium"


@cache
def korean_font() -> str:
    """NanumGothic when installed (full glyphs incl. ₩), else reportlab's built-in CID font."""
    if NANUM.exists():
        pdfmetrics.registerFont(TTFont("NanumGothic", str(NANUM)))
        return "NanumGothic"
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles(font: str) -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=font, fontSize=10, leading=14)  # Korean documents wrap at word (어절) boundaries
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=22, alignment=1,
                           spaceAfter=8)
    cell = ParagraphStyle("cell", parent=body, fontSize=9, leading=12)
    return {"p": body, "title": title, "cell": cell}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _para(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(_escape(text).replace("\n", "<br/>"), style)


def _table(rows: list[list[str]], style: ParagraphStyle) -> Table:
    data = [[_para(cell, style) for cell in row] for row in rows]
    width = 170 * mm
    n = len(rows[0])
    widths = [width * 0.28] + [width * 0.72 / (n - 1)] * (n - 1) if n > 1 else [width]
    table = Table(data, colWidths=widths)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.6, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    return table


def _flowables(blocks: list[tuple], styles: dict[str, ParagraphStyle]) -> list:
    out = []
    for kind, content in blocks:
        if kind == "table":
            out += [Spacer(1, 4), _table(content, styles["cell"]), Spacer(1, 6)]
        else:
            out.append(_para(content, styles[kind]))
    return out


def render_blocks(blocks: list[tuple]) -> bytes:
    """Return PDF bytes of the blocks on A4 pages."""
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=20 * mm, rightMargin=20 * mm,
                            topMargin=18 * mm, bottomMargin=18 * mm, invariant=1,
                            title="contract", author="ksoc-audit docgen")
    doc.build(_flowables(blocks, _styles(korean_font())))
    return buf.getvalue()
