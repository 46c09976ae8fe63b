"""Fictional contract specifications with their ground truth, drawn from seeded random pools."""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

SCENARIOS = (
    "consistent",
    "generic_title",
    "title_duties_conflict",
    "vague_duties",
    "salary_below_floor",
    "no_salary",
    "not_e7_eligible",
    "excluded_example",
)

SALARY_STYLES = (
    "monthly",  # 월 3,500,000원
    "annual_hangul",  # 연봉 금 오천이백만원정 (₩52,000,000)
    "manwon",  # 연봉 3,200만원
    "krw_en",  # KRW 48,000,000 per annum
    "hourly",  # 시급 12,000원
    "components",  # 기본급 + 직무수당 + 식대 table
    "inclusive",  # 포괄임금 monthly amount
)


@dataclass(frozen=True)
class Occupation:
    title_ko: str  # title as the contract writes it
    title_en: str  # English title
    duties_ko: tuple[str, ...]  # duty lines in Korean
    duties_en: tuple[str, ...]  # duty lines in English
    ksco: str  # expected KSCO7 unit code of the real work
    visa: str = "E-7-1"  # visa the employer files for


@dataclass(frozen=True)
class Salary:
    amount_krw: int | None  # amount for `period`; None when the contract states no pay
    period: str = "monthly"  # monthly | annual | hourly
    style: str = "monthly"  # one of SALARY_STYLES
    components: tuple[tuple[str, int], ...] = ()  # (name, monthly KRW) for base+allowances
    inclusive: bool = False  # 포괄임금 clause


@dataclass(frozen=True)
class ContractSpec:
    employer: str  # company name
    business_reg_no: str  # NNN-NN-NNNNN
    employee_name: str  # fictional
    nationality: str  # Korean name of the country
    birth_date: date  # employee birth date
    alien_reg_no: str  # fictional, e.g. 900101-5xxxxxx
    passport_no: str  # fictional
    contract_start: date  # first day
    contract_end: date | None  # last day; None for open-ended
    workplace: str  # address
    job_title_ko: str  # occupation title, Korean
    job_title_en: str  # occupation title, English
    rank: str  # 사원, 대리 ...
    duties_ko: tuple[str, ...]  # duty lines as written
    duties_en: tuple[str, ...]  # English duty lines
    salary: Salary  # pay and how it is written
    weekly_hours: int = 40  # contractual hours a week
    stated_visa: str = "E-7-1"  # visa type written in the contract
    scenario: str = "consistent"  # one of SCENARIOS
    ksco: str = ""  # expected KSCO7 code of the duties
    seed: int = 0  # seed that produced the spec (drives scan noise too)
    expected: dict = field(default_factory=dict)  # free ground truth for benches

    @property
    def annual_krw(self) -> int | None:
        return annual_of(self.salary, self.weekly_hours)


def annual_of(salary: Salary, weekly_hours: int) -> int | None:
    """Annualise as the extractor must: monthly x12; hourly with 주휴 x 4.345 weeks x 12."""
    if salary.amount_krw is None:
        return None
    if salary.period == "annual":
        return salary.amount_krw
    if salary.period == "hourly":
        paid = weekly_hours + min(8.0, weekly_hours / 5) if weekly_hours >= 15 else weekly_hours
        return round(salary.amount_krw * paid * 4.345 * 12)
    return salary.amount_krw * 12


DEV = Occupation(
    "응용 소프트웨어 개발자", "Software Engineer",
    ("결제 시스템 백엔드 API 설계 및 개발(Java/Spring Boot)",
     "데이터베이스 스키마 설계 및 쿼리 성능 최적화",
     "코드 리뷰 및 단위 테스트 작성, CI/CD 파이프라인 운영"),
    ("Design and develop payment backend APIs (Java/Spring Boot)",
     "Design database schemas and tune query performance",
     "Review code, write unit tests and run CI/CD pipelines"),
    "2223",
)
WEB = Occupation(
    "웹 개발자", "Web Developer",
    ("React 기반 웹 프론트엔드 화면 개발", "웹 서비스 반응형 UI 구현 및 유지보수"),
    ("Build React web front-end screens", "Implement and maintain responsive web UI"),
    "2224",
)
HW = Occupation(
    "하드웨어 연구원", "Hardware Engineer",
    ("반도체 검사장비 회로 설계 및 검증", "임베디드 보드 하드웨어 시험 및 불량 분석"),
    ("Design and verify circuits for semiconductor test equipment",
     "Test embedded boards and analyse hardware defects"),
    "2211",
)
SALES_MGR = Occupation(
    "해외영업 관리자", "Overseas Sales Manager",
    ("동남아시아 지역 해외영업 조직 관리 및 매출 목표 수립", "해외 거래처 발굴 및 수출 계약 협상 총괄"),
    ("Manage the Southeast Asia sales team and set revenue targets",
     "Lead new overseas accounts and export contract negotiations"),
    "1511",
)
TRANSLATOR = Occupation(
    "번역가", "Translator",
    ("한국어-베트남어 기술문서 번역 및 감수", "해외 고객사 회의 통역"),
    ("Translate technical documents between Korean and Vietnamese",
     "Interpret at meetings with overseas clients"),
    "2814",
)
DATA = Occupation(
    "데이터 분석가", "Data Analyst",
    ("고객 거래 데이터 수집 및 정제", "머신러닝 기반 수요 예측 모델 개발 및 분석 보고서 작성"),
    ("Collect and clean customer transaction data",
     "Build machine-learning demand forecasts and write analysis reports"),
    "2231",
)
CLERK = Occupation(
    "사무보조원", "Office Assistant",
    ("문서 정리 및 복사, 우편물 발송", "전화 응대 및 사무용품 관리"),
    ("File and copy documents, send mail", "Answer phones and manage office supplies"),
    "3142", "E-7-1",
)
SHOP = Occupation(
    "매장 판매원", "Shop Sales Clerk",
    ("매장 상품 진열 및 고객 응대", "계산 및 재고 정리"),
    ("Display goods and serve customers", "Operate the till and count stock"),
    "5212", "E-7-1",
)
COOK = Occupation(
    "한식 조리사", "Korean Food Cook",
    ("한식 메뉴 조리 및 식재료 손질", "주방 위생 관리"),
    ("Cook Korean menu items and prepare ingredients", "Keep the kitchen hygienic"),
    "4411", "E-7-2",
)
VAGUE = ("회사가 지시하는 업무 일체",)
VAGUE_EN = ("All duties assigned by the company",)
PROFESSIONALS = (DEV, WEB, HW, SALES_MGR, TRANSLATOR, DATA)
GENERIC_TITLES = (("연구원", "Researcher"), ("사원", "Staff"), ("매니저", "Manager"))
RANKS = ("사원", "주임", "대리", "과장", "차장", "부장", "선임")

EMPLOYERS = (
    ("주식회사 가람클라우드", "서울특별시 구로구 디지털로 300, 11층"),
    ("(주)한빛데이터랩", "경기도 성남시 분당구 판교역로 235, 7층"),
    ("누리소프트 주식회사", "서울특별시 강남구 테헤란로 152, 20층"),
    ("주식회사 새벽테크", "대전광역시 유성구 대학로 99, 3층"),
    ("(주)바다무역", "부산광역시 해운대구 센텀중앙로 48, 5층"),
)
PEOPLE = (
    ("NGUYEN VAN AN", "베트남"), ("MARIA SANTOS", "필리핀"), ("AHMED KARIMOV", "우즈베키스탄"),
    ("PRIYA SHARMA", "인도"), ("LI WEI", "중국"), ("JOHN CARTER", "미국"),
    ("TRAN THI MAI", "베트남"), ("DMITRI VOLKOV", "러시아"), ("SITI RAHMAN", "인도네시아"),
)


def _rng_date(rng: random.Random, start: date, span_days: int) -> date:
    return start + timedelta(days=rng.randrange(span_days))


def _salary(rng: random.Random, scenario: str, style: str) -> Salary:
    if scenario == "no_salary":
        return Salary(None, "monthly", "none")
    low = scenario == "salary_below_floor"
    monthly = rng.randrange(210, 240) * 10_000 if low else rng.randrange(300, 620) * 10_000
    if style in ("annual_hangul", "manwon", "krw_en"):
        annual = (monthly * 12) // 1_000_000 * 1_000_000
        return Salary(annual, "annual", style)
    if style == "hourly":
        return Salary(rng.choice((10_320, 11_000, 12_000, 15_500, 21_000)), "hourly", style)
    if style == "components":
        meal, duty = 200_000, rng.randrange(1, 6) * 100_000
        parts = (("기본급", monthly - meal - duty), ("직무수당", duty), ("식대", meal))
        return Salary(monthly, "monthly", style, parts)
    return Salary(monthly, "monthly", style, inclusive=style == "inclusive")


def _occupation(rng: random.Random, scenario: str) -> tuple[Occupation, str, str, tuple, tuple]:
    """Return the real occupation and the (title_ko, title_en, duties_ko, duties_en) written."""
    occ = rng.choice(PROFESSIONALS)
    if scenario == "not_e7_eligible":
        occ = rng.choice((SHOP, COOK))
    if scenario == "generic_title":
        ko, en = rng.choice(GENERIC_TITLES)
        return occ, ko, en, occ.duties_ko, occ.duties_en
    if scenario == "title_duties_conflict":
        return occ, CLERK.title_ko, CLERK.title_en, occ.duties_ko, occ.duties_en
    if scenario == "vague_duties":
        return occ, occ.title_ko, occ.title_en, VAGUE, VAGUE_EN
    if scenario == "excluded_example":
        return CLERK, CLERK.title_ko, CLERK.title_en, CLERK.duties_ko, CLERK.duties_en
    return occ, occ.title_ko, occ.title_en, occ.duties_ko, occ.duties_en


def make_spec(seed: int, *, scenario: str | None = None, style: str | None = None) -> ContractSpec:
    """Draw one fictional contract; everything follows from `seed`."""
    rng = random.Random(seed)
    scenario = scenario or rng.choice(SCENARIOS)
    style = style or rng.choice(SALARY_STYLES)
    occ, title_ko, title_en, duties_ko, duties_en = _occupation(rng, scenario)
    employer, workplace = rng.choice(EMPLOYERS)
    name, nationality = rng.choice(PEOPLE)
    birth = _rng_date(rng, date(1975, 1, 1), 9000)
    start = _rng_date(rng, date(2026, 1, 1), 300)
    end = None if rng.random() < 0.2 else start.replace(year=start.year + rng.choice((1, 2, 3)))
    end = end - timedelta(days=1) if end else None
    spec = ContractSpec(
        employer=employer,
        business_reg_no=f"{rng.randrange(100, 900)}-{rng.randrange(10, 90)}-{rng.randrange(10000, 99999)}",
        employee_name=name,
        nationality=nationality,
        birth_date=birth,
        alien_reg_no=f"{birth:%y%m%d}-{rng.choice('5678')}xxxxxx",
        passport_no=f"{rng.choice('CMPN')}{rng.randrange(10**7, 10**8)}",
        contract_start=start,
        contract_end=end,
        workplace=workplace,
        job_title_ko=title_ko,
        job_title_en=title_en,
        rank=rng.choice(RANKS),
        duties_ko=duties_ko,
        duties_en=duties_en,
        salary=_salary(rng, scenario, style),
        weekly_hours=rng.choice((40, 40, 40, 35)) if style == "hourly" else 40,
        stated_visa=occ.visa,
        scenario=scenario,
        ksco=occ.ksco,
        seed=seed,
    )
    return with_expected(spec)


def with_expected(spec: ContractSpec) -> ContractSpec:
    """Fill `expected` with the ground truth a correct extractor returns for the spec."""
    s = spec.salary
    truth = {
        "title": spec.job_title_ko,
        "title_en": spec.job_title_en,
        "rank": spec.rank,
        "duties": " ".join(spec.duties_ko),
        "duties_en": " ".join(spec.duties_en),
        "salary_amount": s.amount_krw,
        "salary_period": s.period if s.amount_krw is not None else None,
        "annual_krw": spec.annual_krw,
        "inclusive_wage": s.inclusive,
        "employer": spec.employer,
        "business_reg_no": spec.business_reg_no,
        "employee_name": spec.employee_name,
        "nationality": spec.nationality,
        "birth_date": spec.birth_date.isoformat(),
        "contract_start": spec.contract_start.isoformat(),
        "contract_end": spec.contract_end.isoformat() if spec.contract_end else None,
        "workplace": spec.workplace,
        "weekly_hours": float(spec.weekly_hours),
        "stated_visa": spec.stated_visa,
        "ksco": spec.ksco,
    }
    return replace(spec, expected=truth)
