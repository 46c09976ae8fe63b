"""Amendments and documents that are not contracts (invoice, résumé, certificate of employment)."""

from __future__ import annotations

from .layouts import Block, ko_date
from .money import salary_lines_ko
from .spec import CLERK, ContractSpec


def previous_terms(spec: ContractSpec) -> tuple[str, str, str]:
    """Title, duties and pay line before the amendment (the spec holds the values after)."""
    s = spec.salary
    if s.amount_krw is None:
        pay = "회사 내규에 따름"
    elif s.period == "annual":
        pay = f"연봉 {s.amount_krw - 3_000_000:,}원"
    elif s.period == "hourly":
        pay = f"시급 {s.amount_krw - 500:,}원"
    else:
        pay = f"월 {s.amount_krw - 300_000:,}원"
    return CLERK.title_ko, CLERK.duties_ko[0], pay


def amendment(spec: ContractSpec) -> list[Block]:
    """변경계약서: before/after table; the values after the change are the spec's."""
    title, duties, pay = previous_terms(spec)
    new_pay = " / ".join(salary_lines_ko(spec))
    rows = [
        ["항목", "변경 전", "변경 후"],
        ["직위", title, f"{spec.job_title_ko} ({spec.job_title_en})"],
        ["담당업무", duties, "\n".join(spec.duties_ko)],
        ["임금", pay, new_pay],
    ]
    return [
        ("title", "근로계약 변경계약서"),
        ("p", f"{spec.employer}(이하 \"회사\")와 {spec.employee_name}(이하 \"근로자\")는"),
        ("p", f"{ko_date(spec.contract_start, 0)}자로 다음과 같이 근로계약의 일부를 변경한다."),
        ("p", f"사업자등록번호 : {spec.business_reg_no}"),
        ("p", f"변경 적용일 : {ko_date(spec.contract_start, 0)}"),
        ("table", rows),
        ("p", f"직급 : {spec.rank}"),
        ("p", f"근무장소 : {spec.workplace}"),
        ("p", "위에 정하지 않은 사항은 기존 근로계약서에 따른다."),
        ("p", f"(회사) {spec.employer} 대표이사 (인)"),
        ("p", f"(근로자) 성명 : {spec.employee_name} (서명)"),
    ]


def invoice(spec: ContractSpec) -> list[Block]:
    rows = [["품목", "수량", "단가", "금액"],
            ["클라우드 서버 임대", "3", "1,200,000", "3,600,000"],
            ["유지보수 용역", "1", "2,500,000", "2,500,000"],
            ["합계", "", "", "6,100,000"]]
    return [
        ("title", "거래명세서 (INVOICE)"),
        ("p", f"공급자 : {spec.employer} (사업자등록번호 : {spec.business_reg_no})"),
        ("p", "공급받는자 : 주식회사 예시상사"),
        ("p", f"작성일자 : {ko_date(spec.contract_start, 1)}"),
        ("table", rows),
        ("p", "입금계좌 : 가상은행 000-0000-0000 (예금주: 공급자)"),
        ("p", "Payment due within 30 days of the invoice date."),
    ]


def resume(spec: ContractSpec) -> list[Block]:
    return [
        ("title", "이 력 서 (Résumé)"),
        ("p", f"성명 : {spec.employee_name}"),
        ("p", f"국적 : {spec.nationality}"),
        ("p", f"생년월일 : {ko_date(spec.birth_date, 1)}"),
        ("p", "학력 사항"),
        ("p", "2015.03 ~ 2019.02 가상대학교 컴퓨터공학과 졸업 (학사)"),
        ("p", "경력 사항"),
        ("p", f"2019.03 ~ 2025.12 {spec.employer} {spec.job_title_ko}"),
        ("p", f"주요 업무 : {spec.duties_ko[0]}"),
        ("p", "자격증 : 정보처리기사, TOPIK 5급"),
        ("p", "희망연봉 : 회사 내규에 따름"),
        ("p", "위의 기재 사항은 사실과 다름이 없습니다."),
    ]


def employment_certificate(spec: ContractSpec) -> list[Block]:
    return [
        ("title", "재 직 증 명 서"),
        ("p", f"성 명 : {spec.employee_name}"),
        ("p", f"생년월일 : {ko_date(spec.birth_date, 0)}"),
        ("p", f"소 속 : {spec.employer}"),
        ("p", f"직 위 : {spec.rank}"),
        ("p", f"재직기간 : {ko_date(spec.contract_start, 0)} ~ 현재"),
        ("p", "용 도 : 금융기관 제출용"),
        ("p", "위 사람은 당사에 재직하고 있음을 증명합니다."),
        ("p", f"{spec.employer} 대표이사 (직인)"),
    ]
