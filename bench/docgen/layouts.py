"""Contract layouts as lists of blocks: ("title", text), ("p", text), ("table", rows)."""

from __future__ import annotations

from datetime import date

from .money import salary_lines_en, salary_lines_ko, won
from .spec import ContractSpec

Block = tuple


def ko_date(d: date | None, style: int = 0) -> str:
    if d is None:
        return "기간의 정함이 없음"
    if style == 1:
        return f"{d:%Y.%m.%d}"
    if style == 2:
        return d.isoformat()
    return f"{d.year}년 {d.month}월 {d.day}일"


def en_date(d: date | None) -> str:
    return f"{d:%B} {d.day}, {d.year}" if d else "open-ended"


def _period_ko(spec: ContractSpec) -> str:
    st = spec.seed % 3
    start = ko_date(spec.contract_start, st)
    if spec.contract_end is None:
        return f"{start}부터 (기간의 정함이 없음)"
    return f"{start}부터 {ko_date(spec.contract_end, st)}까지"


def _hours_ko(spec: ContractSpec) -> str:
    end = 9 + spec.weekly_hours // 5 + 1
    return f"09시 00분부터 {end}시 00분까지 (휴게시간 : 12시 00분 ~ 13시 00분), 주 {spec.weekly_hours}시간"


def _signature_ko(spec: ContractSpec) -> list[Block]:
    return [
        ("p", ko_date(spec.contract_start.replace(day=1), 0)),
        ("p", f"(사업주) 사업체명 : {spec.employer} (사업자등록번호 : {spec.business_reg_no})"),
        ("p", f"주 소 : {spec.workplace}"),
        ("p", "대 표 자 : 김 대 표 (서명)"),
        ("p", f"(근로자) 성 명 : {spec.employee_name} (서명)"),
        ("p", f"국 적 : {spec.nationality}"),
        ("p", f"생년월일 : {ko_date(spec.birth_date, 1)}"),
        ("p", f"외국인등록번호 : {spec.alien_reg_no}"),
        ("p", f"여권번호 : {spec.passport_no}"),
    ]


def _duty_lines(lines: tuple[str, ...], first_label: str) -> list[Block]:
    out = [("p", f"{first_label}{lines[0]}")]
    return out + [("p", f"   {line}") for line in lines[1:]]


def moel_standard(spec: ContractSpec) -> list[Block]:
    """MOEL 표준근로계약서: numbered items 1-11, Korean only."""
    pay = salary_lines_ko(spec)
    blocks = [
        ("title", "표준근로계약서(기간의 정함이 있는 경우)"),
        ("p", f"{spec.employer}(이하 \"사업주\"라 함)과(와) {spec.employee_name}(이하 \"근로자\"라 함)은"),
        ("p", "다음과 같이 근로계약을 체결한다."),
        ("p", f"1. 근로계약기간 : {_period_ko(spec)}"),
        ("p", f"2. 근 무 장 소 : {spec.workplace}"),
        ("p", "3. 업무의 내용"),
        ("p", f" - 직 종 : {spec.job_title_ko}"),
        ("p", f" - 직 위 : {spec.rank}"),
        *_duty_lines(spec.duties_ko, " - 담당업무 : "),
        ("p", f"4. 소정근로시간 : {_hours_ko(spec)}"),
        ("p", "5. 근무일/휴일 : 매주 5일 근무, 주휴일 매주 일요일"),
        ("p", "6. 임 금"),
        *[("p", f" - {line}") for line in pay],
        ("p", " - 상여금 : 없음"),
        ("p", " - 임금지급일 : 매월 25일(휴일의 경우는 전일 지급)"),
        ("p", " - 지급방법 : 근로자 명의 예금통장에 입금"),
        ("p", "7. 연차유급휴가 : 근로기준법에서 정하는 바에 따라 부여함"),
        ("p", "8. 사회보험 적용여부 : [v] 고용보험 [v] 산재보험 [v] 국민연금 [v] 건강보험"),
        ("p", f"9. 체류자격 : {spec.stated_visa}"),
        ("p", "10. 기 타 : 이 계약에 정함이 없는 사항은 근로기준법령에 의함"),
    ]
    return blocks + _signature_ko(spec)


def foreign_worker_standard(spec: ContractSpec) -> list[Block]:
    """E-7-4 / EPS bilingual standard labor contract (sample form)."""
    pay = salary_lines_ko(spec)
    head = [
        ["사용자\nEmployer", "업체명\nName of the enterprise", spec.employer],
        ["", "소재지\nLocation of the enterprise", spec.workplace],
        ["", "사업자등록번호\nIdentification number", spec.business_reg_no],
        ["근로자\nEmployee", "성명\nName of the employee", spec.employee_name],
        ["", "생년월일\nBirthdate", ko_date(spec.birth_date, 1)],
        ["", "국적\nNationality", spec.nationality],
    ]
    blocks = [
        ("title", "표준근로계약서 (Standard Labor Contract)"),
        ("table", head),
        ("p", f"1. 근로계약기간 (Term of Labor contract) : {_period_ko(spec)}"),
        ("p", f"2. 근로장소 (Place of employment) : {spec.workplace}"),
        ("p", "3. 업무내용 (Description of work)"),
        ("p", f" - 직종 (Occupation) : {spec.job_title_ko} ({spec.job_title_en})"),
        ("p", f" - 직급 (Rank) : {spec.rank}"),
        *_duty_lines(spec.duties_ko, " - 직무내용 (Job description) : "),
        ("p", f"4. 근로시간 (Working hours) : {_hours_ko(spec)}"),
        ("p", "5. 휴게시간 (Recess hours) : 1일 60분"),
        ("p", "6. 휴일 (Holidays) : [v] 일요일 [v] 공휴일(유급)"),
        ("p", "7. 임금 (Payment)"),
        *[("p", f" - {line}") for line in pay],
        ("p", "8. 임금지급일 (Payment date) : 매월 25일"),
        ("p", "9. 지급방법 (Payment methods) : 통장 입금 (By direct deposit)"),
        ("p", f"10. 체류자격 (Visa status) : {spec.stated_visa}"),
    ]
    return blocks + _signature_ko(spec)


def table_form(spec: ContractSpec) -> list[Block]:
    """Company form laid out as one label/value table, pay components in a second table."""
    rows = [
        ["회사명", spec.employer],
        ["사업자등록번호", spec.business_reg_no],
        ["성명", spec.employee_name],
        ["국적", spec.nationality],
        ["생년월일", ko_date(spec.birth_date, 2)],
        ["직종", f"{spec.job_title_ko} ({spec.job_title_en})"],
        ["직급", spec.rank],
        ["담당업무", "\n".join(spec.duties_ko)],
        ["계약기간", _period_ko(spec)],
        ["근무장소", spec.workplace],
        ["근무시간", _hours_ko(spec)],
        ["체류자격", spec.stated_visa],
    ]
    pay = _pay_rows(spec)
    return [("title", "근 로 계 약 서"), ("table", rows), ("p", "임금 (Salary)"), ("table", pay),
            ("p", "위 근로조건에 합의하여 근로계약을 체결한다."), *_signature_ko(spec)[:1]]


def _pay_rows(spec: ContractSpec) -> list[list[str]]:
    s = spec.salary
    if s.components:
        return [["항목", "금액"], *[[n, f"월 {won(v)}"] for n, v in s.components],
                ["월 합계", won(s.amount_krw)]]
    return [["항목", "금액"], ["임금", salary_lines_ko(spec)[0]]]


def article(spec: ContractSpec) -> list[Block]:
    """Company contract written as 제N조 articles."""
    pay = salary_lines_ko(spec)
    blocks = [
        ("title", "근로계약서"),
        ("p", f"{spec.employer}(이하 \"회사\")와 {spec.employee_name}(이하 \"근로자\")는 다음과 같이"),
        ("p", "근로계약을 체결한다."),
        ("p", "제1조 (목적) 본 계약은 회사와 근로자 간의 근로조건을 정함을 목적으로 한다."),
        ("p", "제2조 (직위 및 담당업무)"),
        ("p", f"① 근로자의 직위는 {spec.job_title_ko}(직급: {spec.rank})로 한다."),
        *_duty_lines(spec.duties_ko, "② 담당업무 : "),
        ("p", f"제3조 (계약기간) 계약기간은 {_period_ko(spec)}로 한다."),
        ("p", f"제4조 (근무장소) 근무장소는 {spec.workplace}로 한다."),
        ("p", f"제5조 (근로시간) {_hours_ko(spec)}"),
        ("p", "제6조 (임금)"),
        *[("p", f"① {line}") if i == 0 else ("p", f"   {line}") for i, line in enumerate(pay)],
        ("p", "② 임금은 매월 25일 근로자 명의의 계좌로 지급한다."),
        ("p", f"제7조 (체류자격) 근로자의 체류자격은 {spec.stated_visa}로 한다."),
        ("p", "제8조 (기타) 본 계약에 정하지 않은 사항은 근로기준법 및 회사 취업규칙에 따른다."),
    ]
    return blocks + _signature_ko(spec)


def bilingual(spec: ContractSpec) -> list[Block]:
    """Korean/English employment contract, label pairs on each line."""
    pay = salary_lines_ko(spec)
    blocks = [
        ("title", "고용계약서 / Employment Contract"),
        ("p", f"회사명 / Company : {spec.employer}"),
        ("p", f"사업자등록번호 / Business Registration No. : {spec.business_reg_no}"),
        ("p", f"근로자 성명 / Employee Name : {spec.employee_name}"),
        ("p", f"국적 / Nationality : {spec.nationality}"),
        ("p", f"생년월일 / Date of Birth : {ko_date(spec.birth_date, 1)}"),
        ("p", f"직위 / Position : {spec.job_title_ko} / {spec.job_title_en}"),
        ("p", f"직급 / Grade : {spec.rank}"),
        *_duty_lines(spec.duties_ko, "담당업무 / Duties : "),
        ("p", f"계약기간 / Contract Period : {_period_ko(spec)}"),
        ("p", f"근무장소 / Place of Work : {spec.workplace}"),
        ("p", f"근무시간 / Working Hours : {_hours_ko(spec)}"),
        *_duty_lines(tuple(pay), "임금 / Salary : "),
        ("p", f"체류자격 / Visa Status : {spec.stated_visa}"),
    ]
    return blocks + _signature_ko(spec)[:1]


def offer_letter(spec: ContractSpec) -> list[Block]:
    """English offer letter."""
    end = en_date(spec.contract_end)
    return [
        ("title", "Offer of Employment"),
        ("p", f"Dear {spec.employee_name},"),
        ("p", f"{spec.employer} is pleased to offer you employment on the terms below."),
        ("p", f"Job Title: {spec.job_title_en}"),
        ("p", f"Grade: {spec.rank}"),
        *_duty_lines(spec.duties_en, "Job Description: "),
        ("p", f"Start Date: {en_date(spec.contract_start)}"),
        ("p", f"End Date: {end}"),
        ("p", f"Place of Work: {spec.workplace}"),
        ("p", f"Working Hours: 09:00 to 18:00, {spec.weekly_hours} hours per week"),
        *_duty_lines(tuple(salary_lines_en(spec)), "Salary: "),
        ("p", f"Visa: the Company will sponsor your {spec.stated_visa} visa."),
        ("p", f"Nationality: {spec.nationality}"),
        ("p", "Please sign and return a copy of this letter to accept this offer."),
        ("p", "Sincerely, Human Resources"),
    ]
