"""Per-document HTML report: content, ordering, escaping, masking (reports.render / reports.html)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from test_reports_samples import (
    ACCOUNT,
    ARN,
    EMPLOYEE,
    PASSPORT,
    PHONE,
    RRN,
    SECRETS,
    english_result,
    failed_result,
    ok_result,
)

from reports.html import render_document_html
from reports.paths import document_base
from reports.render import render_document_reports


class _Tags(HTMLParser):
    """Collects start tags and the text of every element (entities decoded)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.tags.append(tag)

    def handle_data(self, data) -> None:
        self.text.append(data)


def parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


@pytest.fixture(scope="module")
def reports(tmp_path_factory) -> dict[str, Path]:
    return render_document_reports(ok_result(), tmp_path_factory.mktemp("html"), pdf=False)


@pytest.fixture(scope="module")
def html(reports) -> str:
    return reports["html"].read_text(encoding="utf-8")


def test_report_sits_next_to_the_json(reports, tmp_path_factory) -> None:
    result = ok_result()
    base = document_base(result.document.path, result.document.sha256, result.client)
    assert reports["html"].name == Path(base).name + ".html"
    assert reports["docx"].name == Path(base).name + ".addendum.docx"


def test_report_shows_document_status_fields_and_evidence(html: str) -> None:
    assert "홍**_근로계약서.pdf" in html and "부분 / Partial" in html
    assert "사무보조원 / Office Assistant" in html
    assert "직위(직종): 사무보조원 / Office Assistant" in html  # evidence snippet
    assert re.search(r'id="field-duties".*?>2<br>.*?ocr', html, re.DOTALL), "page and route of duties"
    assert "42,000,000원" in html and "기본급: 3,200,000원" in html


def test_report_shows_candidates_with_subcategory_and_why(html: str) -> None:
    section = html[html.index('id="candidates"'):]
    for text in ("2223", "응용 소프트웨어 개발자", "E-7-1", "응용소프트웨어 개발 전문가",
                 "duties: 결제 API 설계 및 개발", "3922", "E-7 대상 아님"):
        assert text in section


def test_findings_are_ordered_by_severity_in_both_languages(html: str) -> None:
    order = re.findall(r'class="finding (\w+)"', html)
    assert order == ["high", "medium", "low"]
    for text in ("직위 '사무보조원'은", "is generic", "권고:", "Recommendation:",
                 "부속합의서를 체결하세요", "Sign an addendum"):
        assert text.replace("'", "&#39;") in html


def test_addendum_is_in_the_report(html: str) -> None:
    section = html[html.index('id="addendum"'):]
    assert "부속합의서 초안" in section and "Application Software Developer" in section
    assert "제1조 (직위)" in section and "Article 1 (Title)" in section
    assert "직무기술서와 일치하는지 확인" in section


def test_contract_text_is_escaped() -> None:
    page = render_document_html(ok_result())
    assert parse(page).tags.count("script") == 0
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert "<script>alert('x')</script>" in "".join(parse(page).text)


def test_csp_forbids_scripts_and_remote_loads(html: str) -> None:
    csp = re.search(r'Content-Security-Policy" content="([^"]+)"', html).group(1)
    assert "default-src 'none'" in csp and "script-src" not in csp


def test_identifiers_and_name_are_masked_by_default(html: str) -> None:
    for secret in (*SECRETS, EMPLOYEE):
        assert secret not in html
    assert "900101-1******" in html and "홍**" in html


def test_show_pii_opts_out(tmp_path: Path) -> None:
    page = render_document_reports(ok_result(), tmp_path, show_pii=True, pdf=False)["html"]
    text = page.read_text(encoding="utf-8")
    for secret in (RRN, ARN, PASSPORT, PHONE, ACCOUNT, EMPLOYEE):
        assert secret in text


def test_failed_document_shows_its_problem_and_nothing_else(tmp_path: Path) -> None:
    written = render_document_reports(failed_result(), tmp_path, pdf=False)
    text = written["html"].read_text(encoding="utf-8")
    assert "실패 / Failed" in text and "encrypted_pdf" in text and "a password is needed" in text
    assert 'id="findings"' not in text and "docx" not in written
    assert written["html"].parent == tmp_path  # "../../etc/..." stays inside the output folder


def test_client_reports_go_to_the_client_folder(tmp_path: Path) -> None:
    written = render_document_reports(english_result(client="Acme Relocation"), tmp_path, pdf=False)
    assert written["html"].parent.parent == tmp_path
    assert written["html"].parent.name.startswith("Acme_Relocation-")
    assert "J*** D**" in written["html"].read_text(encoding="utf-8")


def test_stale_addendum_is_removed_when_no_longer_proposed(tmp_path: Path) -> None:
    first = render_document_reports(ok_result(), tmp_path, pdf=False)
    assert first["docx"].exists()
    again = ok_result().model_copy(update={"addendum": None})
    second = render_document_reports(again, tmp_path, pdf=False)
    assert "docx" not in second and not first["docx"].exists()
