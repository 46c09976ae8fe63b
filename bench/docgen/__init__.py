"""Fictional contract documents with ground truth, born-digital or scanned, for tests and benches.

    spec = make_spec(7, scenario="title_duties_conflict", style="annual_hangul")
    pdf = render_pdf(spec, "moel_standard")
    pages = scan(pdf, skew=1.5, blur=0.8, noise=8, stamp=True)
    items = corpus(60, seed=1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

from .layouts import (
    article,
    bilingual,
    foreign_worker_standard,
    moel_standard,
    offer_letter,
    table_form,
)
from .money import hangul_amount, salary_lines_en, salary_lines_ko
from .others import amendment, employment_certificate, invoice, resume
from .render import render_blocks
from .scan import ScanOptions, image_to_png, images_to_pdf, rasterize, scan
from .spec import SALARY_STYLES, SCENARIOS, ContractSpec, Salary, annual_of, make_spec

__all__ = [
    "CONTRACT_LAYOUTS", "LAYOUTS", "NON_CONTRACT_LAYOUTS", "SALARY_STYLES", "SCENARIOS",
    "ContractSpec", "CorpusItem", "Salary", "ScanOptions", "annual_of", "corpus", "expected_for",
    "hangul_amount", "image_to_png", "images_to_pdf", "make_spec", "rasterize", "render_pdf",
    "salary_lines_en", "salary_lines_ko", "scan", "scan_options_for", "scanned_pdf",
]

LAYOUTS: dict[str, Callable[[ContractSpec], list[tuple]]] = {
    "moel_standard": moel_standard,
    "foreign_worker_standard": foreign_worker_standard,
    "table_form": table_form,
    "article": article,
    "bilingual": bilingual,
    "offer_letter": offer_letter,
    "amendment": amendment,
    "invoice": invoice,
    "resume": resume,
    "employment_certificate": employment_certificate,
}
NON_CONTRACT_LAYOUTS = ("invoice", "resume", "employment_certificate")
CONTRACT_LAYOUTS = tuple(k for k in LAYOUTS if k not in NON_CONTRACT_LAYOUTS)
KIND_OF = {"bilingual": "contract", **dict.fromkeys(NON_CONTRACT_LAYOUTS, "not_contract")}
HIDDEN = {  # ground-truth keys a layout does not show
    "offer_letter": {"business_reg_no", "birth_date", "weekly_hours_text"},
    "amendment": {"birth_date", "nationality", "contract_start", "contract_end", "stated_visa",
                  "weekly_hours"},
    "bilingual": set(),
}


class CorpusItem(NamedTuple):
    spec: ContractSpec  # what the document says
    layout: str  # key of LAYOUTS
    scanned: bool  # rendered as an image-only scan


def render_pdf(spec: ContractSpec, layout: str) -> bytes:
    """Born-digital PDF of `spec` in `layout`."""
    return render_blocks(LAYOUTS[layout](spec))


def expected_for(spec: ContractSpec, layout: str) -> dict:
    """Ground truth for `spec` rendered in `layout` (only the fields that layout shows)."""
    kind = KIND_OF.get(layout, layout)
    if kind == "not_contract":
        return {"kind": kind}
    truth = {k: v for k, v in spec.expected.items() if k not in HIDDEN.get(layout, set())}
    truth["kind"] = kind
    truth["language"] = "en" if layout == "offer_letter" else "ko"
    if layout in ("bilingual", "foreign_worker_standard"):
        truth["language"] = "ko+en"
    if layout == "offer_letter":
        truth["title"] = spec.job_title_en
        truth["duties"] = " ".join(spec.duties_en)
    return truth


SCAN_PROFILES = (
    ScanOptions(skew=1.2, blur=0.6, noise=6, jpeg_quality=70),
    ScanOptions(skew=-0.8, noise=12, jpeg_quality=45),
    ScanOptions(skew=0.4, blur=0.9, stamp=True, jpeg_quality=65),
    ScanOptions(fax=True, noise=4, jpeg_quality=0),
    ScanOptions(skew=-2.0, blur=0.5, noise=8, jpeg_quality=60),
    ScanOptions(blur=1.1, jpeg_quality=55, stamp=True),
)


def scan_options_for(item: CorpusItem, index: int) -> ScanOptions:
    """The degradation profile of the `index`-th corpus item; item 2 comes upside down."""
    base = SCAN_PROFILES[index % len(SCAN_PROFILES)]
    return ScanOptions(**{**base.__dict__, "seed": item.spec.seed, "upside_down": index == 2})


def scanned_pdf(spec: ContractSpec, layout: str, opts: ScanOptions, *, quality: int = 50) -> bytes:
    """Image-only PDF of `spec` in `layout`, degraded by `opts`, JPEG `quality` inside."""
    return images_to_pdf(scan(render_pdf(spec, layout), opts), dpi=opts.dpi, quality=quality)


def corpus(n: int, seed: int = 0) -> list[CorpusItem]:
    """`n` labelled documents cycling layouts, scenarios and salary styles; every third scanned."""
    items = []
    for i in range(n):
        layout = CONTRACT_LAYOUTS[i % len(CONTRACT_LAYOUTS)]
        if i % 10 == 9:
            layout = NON_CONTRACT_LAYOUTS[(i // 10) % len(NON_CONTRACT_LAYOUTS)]
        spec = make_spec(seed * 100_003 + i, scenario=SCENARIOS[i % len(SCENARIOS)],
                         style=SALARY_STYLES[(i // 2) % len(SALARY_STYLES)])
        items.append(CorpusItem(spec, layout, i % 3 == 2))
    return items
