"""Labelled cases for bench.rules: fictional occupations and the contracts built from them.

Every case states the scenario it exercises and the rule(s) a correct audit raises. Labels follow
the rules' definitions (docs/RULES.md), decided before running: e.g. a "매니저" who really manages
is consistent, an "Office Assistant" doing software work is generic_title.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fixtures.spec import (
    CLERK,
    DATA,
    DEV,
    HW,
    SALES_MGR,
    SHOP,
    TRANSLATOR,
    WEB,
    Occupation,
    Salary,
)

NURSE = Occupation(
    "간호사", "Nurse",
    ("병동 입원 환자 간호 및 투약 관리", "활력징후 측정 및 간호기록 작성, 환자 교육"),
    ("Provide ward nursing care and give medication",
     "Measure vital signs, keep nursing records and educate patients"), "2430")
ARCHITECT = Occupation(
    "건축가", "Architect",
    ("공동주택 건축물 기본설계 및 실시설계 도면 작성", "건축 인허가 도서 작성 및 설계 감리"),
    ("Draw schematic and detailed designs for apartment buildings",
     "Prepare building permit documents and supervise design work"), "2311")
MECH = Occupation(
    "기계공학 기술자", "Mechanical Engineer",
    ("산업용 기계 설비 설계 및 3D CAD 모델링", "기계 부품 강도 해석 및 시제품 성능 시험"),
    ("Design industrial machinery with 3D CAD",
     "Analyse part strength and test prototype performance"), "2351")
CHEM = Occupation(
    "화학공학 기술자", "Chemical Engineer",
    ("이차전지 전해액 제조 공정 개발 및 공정 조건 최적화", "화학 공정 설계 및 공정 안전성 검토"),
    ("Develop electrolyte manufacturing processes for secondary batteries",
     "Design chemical processes and review process safety"), "2321")
SECURITY = Occupation(
    "정보보안 전문가", "Information Security Specialist",
    ("사내 네트워크 침입탐지 시스템 운영 및 보안 취약점 분석", "정보보호 관리체계 인증 대응 및 보안 정책 수립"),
    ("Run the intrusion detection system and analyse security vulnerabilities",
     "Prepare information security certification and set security policy"), "2233")
DESIGNER = Occupation(
    "시각 디자이너", "Visual Designer",
    ("브랜드 로고 및 제품 포장 디자인 제작", "광고 시각물 및 웹 배너 그래픽 디자인"),
    ("Design brand logos and product packaging", "Design advertising visuals and web banners"),
    "2854")
OVERSEAS_SALES = Occupation(
    "해외 영업원", "Overseas Sales Representative",
    ("해외 바이어 발굴 및 수출 상담", "수출 계약 조건 협상 및 해외 전시회 참가"),
    ("Find overseas buyers and hold export consultations",
     "Negotiate export contract terms and attend overseas trade fairs"), "2742")
CONSULTANT = Occupation(
    "경영 컨설턴트", "Management Consultant",
    ("중소기업 경영 진단 및 사업 전략 수립 컨설팅", "조직 구조 개선 및 경영 성과 분석 보고서 작성"),
    ("Diagnose client businesses and advise on business strategy",
     "Analyse management performance and write improvement reports"), "2715")
BIO = Occupation(
    "생명과학 연구원", "Life Science Researcher",
    ("재조합 단백질 발현 실험 및 세포 배양", "바이오 의약품 후보물질 효능 분석 및 연구 보고서 작성"),
    ("Run recombinant protein expression experiments and cell culture",
     "Analyse the efficacy of biopharmaceutical candidates and write research reports"), "2111")
ELEC = Occupation(
    "전자공학 기술자", "Electronics Engineer",
    ("디스플레이 구동 회로 설계", "전자 회로 시뮬레이션 및 PCB 설계 검증"),
    ("Design display driver circuits", "Simulate electronic circuits and verify PCB designs"),
    "2342")
HOTEL = Occupation(
    "호텔 접수 사무원", "Hotel Front Desk Clerk",
    ("호텔 프런트 체크인·체크아웃 및 외국인 투숙객 응대", "객실 예약 관리 및 투숙객 요청 처리"),
    ("Check foreign guests in and out at the front desk",
     "Manage room bookings and guest requests"),
    "3922", "E-7-2")
AIRCRAFT = Occupation(
    "항공기 정비원", "Aircraft Mechanic",
    ("여객기 엔진 및 기체 정기 점검과 정비", "항공기 부품 교환 및 정비 기록 작성"),
    ("Inspect and maintain airliner engines and airframes",
     "Replace aircraft parts and keep maintenance records"), "7521", "E-7-3")
ACCOUNT_CLERK = Occupation(
    "경리 사무원", "Accounting Clerk",
    ("회계 전표 입력 및 장부 정리", "거래처 대금 지급 및 세금계산서 발행"),
    ("Enter accounting vouchers and keep the books", "Pay suppliers and issue tax invoices"),
    "3132")
DELIVERY = Occupation(
    "배달원", "Delivery Worker",
    ("오토바이를 이용한 음식 배달", "배달 주문 확인 및 고객 전달"),
    ("Deliver food by motorcycle", "Check delivery orders and hand them to customers"), "9221")
CLEANER = Occupation(
    "청소원", "Cleaner",
    ("사무실 및 화장실 청소", "쓰레기 분리수거 및 건물 복도 청소"),
    ("Clean offices and restrooms", "Sort waste and clean building corridors"), "9411")
CHILDCARE = Occupation(
    "보육교사", "Childcare Teacher",
    ("어린이집 영유아 보육 및 놀이 활동 지도", "보육 일지 작성 및 학부모 상담"),
    ("Care for infants at a daycare centre and lead play activities",
     "Keep childcare logs and talk with parents"), "2472")
SOCIAL = Occupation(
    "사회복지사", "Social Worker",
    ("독거노인 대상 사례 관리 및 복지 서비스 연계", "복지관 프로그램 기획 및 운영"),
    ("Manage cases of elderly people living alone and link welfare services",
     "Plan and run welfare centre programmes"), "2471")
GUARD = Occupation(
    "경비원", "Security Guard",
    ("아파트 단지 출입 통제 및 순찰", "택배 보관 및 주차 관리"),
    ("Control access to the apartment complex and patrol", "Keep parcels and manage parking"),
    "4123")
HAIR = Occupation(
    "미용사", "Hairdresser",
    ("고객 헤어 커트 및 펌 시술", "두피 관리 및 헤어 스타일 상담"),
    ("Cut and perm customers' hair", "Care for scalps and advise on hair styles"), "4222")

PROFESSIONALS = (DEV, WEB, HW, TRANSLATOR, DATA, NURSE, ARCHITECT, MECH, CHEM, SECURITY,
                 DESIGNER, OVERSEAS_SALES, CONSULTANT, BIO, ELEC)
NOT_E7 = (SHOP, CLERK, ACCOUNT_CLERK, DELIVERY, CLEANER, CHILDCARE, SOCIAL, GUARD, HAIR)

# (title_ko, title_en) that name no occupation; paired with professional duties
GENERIC = (("사무보조원", "Office Assistant"), ("사원", "Staff"), ("직원", "Employee"),
           ("팀원", "Team Member"), ("인턴", "Intern"), ("매니저", "Manager"),
           ("사무원", "Clerk"), ("어시스턴트", "Assistant"), ("스태프", "Staff"))
VAGUE = (("회사가 지시하는 업무 일체",), ("기타 회사가 정하는 업무",), ("업무 전반",),
         ("제반 업무",), ("상사가 지시하는 업무 및 기타 업무",), ("관련 업무 일체",),
         ("회사 업무 전반 및 부수 업무",), ("사무 업무",), ("회사가 부여하는 업무",))
VAGUE_EN = ("All duties assigned by the company", "Other duties as assigned",
            "General duties", "Tasks as directed by the employer")
# (excluded title_ko, title_en, duties_ko, duties_en, stated visa), per the E-7 list's exclusions
EXCLUDED = (
    ("영업소장", "Branch Office Head", ("영업소 운영 및 판매 직원 관리", "지역 매출 목표 관리"),
     ("Run the sales office and manage sales staff", "Manage regional sales targets"), "E-7-1"),
    ("간호조무사", "Nursing Assistant", ("간호사 지시에 따른 환자 보조", "진료 준비 및 병실 정리"),
     ("Assist patients under nurses' instructions", "Prepare treatment rooms"), "E-7-1"),
    ("한식 조리사", "Korean Food Cook", ("한식 메뉴 조리 및 식재료 손질", "주방 위생 관리"),
     ("Cook Korean dishes and prepare ingredients", "Keep the kitchen clean"), "E-7-2"),
    ("분식 조리사", "Snack Food Cook", ("떡볶이·김밥 등 분식 메뉴 조리", "식재료 재고 관리"),
     ("Cook snack dishes such as tteokbokki and gimbap", "Manage ingredient stock"), "E-7-2"),
    ("관광통역안내원", "Tour Interpreter Guide", ("외국인 관광객 관광지 안내 및 통역", "관광 일정 진행"),
     ("Guide and interpret for foreign tourists", "Run tour schedules"), "E-7-1"),
    ("무역사무원", "Trade Clerk", ("수출입 서류 작성 및 선적 서류 관리", "신용장 접수 및 통관 서류 정리"),
     ("Prepare export and import documents", "Handle letters of credit and customs papers"),
     "E-7-1"),
    ("국내 쇼핑몰 판매원", "Online Mall Seller", ("국내 온라인 쇼핑몰 상품 등록", "고객 주문 처리 및 배송 포장"),
     ("List products on a domestic online mall", "Process orders and pack deliveries"), "E-7-1"),
    ("텔레마케터", "Telemarketer", ("전화를 통한 보험 상품 판매", "고객 유치 및 상담 기록 관리"),
     ("Sell insurance products by phone", "Win customers and keep call records"), "E-7-2"),
    ("판촉원", "Promoter", ("매장 내 신제품 시식 행사 진행", "판촉 활동 및 판매 실적 보고"),
     ("Run product tasting events in stores", "Promote products and report sales"), "E-7-2"),
    ("선박 웨이터", "Ship Waiter", ("여객선 식당 음식 서빙", "테이블 정리 및 승객 응대"),
     ("Serve food in a passenger ship restaurant", "Clear tables and serve passengers"), "E-7-2"),
    ("여관 관리자", "Inn Manager", ("여관 객실 관리 및 숙박객 응대", "객실 청소 관리 및 요금 정산"),
     ("Manage inn rooms and guests", "Oversee room cleaning and settle charges"), "E-7-1"),
    ("산업용로봇 조작원", "Industrial Robot Operator", ("자동화 라인 산업용 로봇 조작", "로봇 작업 상태 점검"),
     ("Operate industrial robots on the automated line", "Check robot operation"), "E-7-1"),
)
# (title occupation, duties occupation): titles of another occupation group than the work
CONFLICTS = ((TRANSLATOR, DEV), (DESIGNER, WEB), (OVERSEAS_SALES, DATA), (MECH, DEV),
             (NURSE, TRANSLATOR), (CONSULTANT, HW), (HOTEL, SALES_MGR), (BIO, SECURITY),
             (DATA, TRANSLATOR), (WEB, NURSE), (ARCHITECT, DATA), (TRANSLATOR, CHEM))


@dataclass(frozen=True)
class Case:
    scenario: str  # fixtures scenario label (fixtures.spec.SCENARIOS)
    title_ko: str  # title as written
    title_en: str
    duties_ko: tuple[str, ...]
    duties_en: tuple[str, ...]
    ksco: str  # KSCO7 code of the real work
    salary: Salary  # pay as written
    stated: str = "E-7-1"  # visa the contract states
    weekly_hours: int = 40
    expect: frozenset[str] = field(default_factory=frozenset)  # non-low rules a right audit raises
    note: str = ""  # why the case is labelled so


def monthly(i: int) -> Salary:
    styles = ("monthly", "components", "annual_hangul", "manwon", "krw_en", "inclusive")
    amount = (3_600_000, 4_200_000, 4_800_000, 5_500_000, 3_900_000, 6_100_000)[i % 6]
    style = styles[i % len(styles)]
    if style in ("annual_hangul", "manwon", "krw_en"):
        return Salary(amount * 12, "annual", style)
    if style == "components":
        return Salary(amount, "monthly", style, (("기본급", amount - 500_000), ("직무수당", 300_000),
                                                 ("식대", 200_000)))
    return Salary(amount, "monthly", style, inclusive=style == "inclusive")


def _case(scenario: str, occ: Occupation, i: int, **kw) -> Case:
    base = {"title_ko": occ.title_ko, "title_en": occ.title_en, "duties_ko": occ.duties_ko,
            "duties_en": occ.duties_en, "ksco": occ.ksco, "salary": monthly(i),
            "stated": occ.visa}
    return Case(scenario=scenario, **{**base, **kw})


def consistent() -> list[Case]:
    cases = [_case("consistent", occ, i) for i, occ in enumerate(PROFESSIONALS)]
    cases += [
        _case("consistent", HOTEL, 1), _case("consistent", AIRCRAFT, 2),
        _case("consistent", SALES_MGR, 3, title_ko="매니저", title_en="Manager",
              note="a 매니저 who really manages is not generic"),
        _case("consistent", BIO, 4, title_ko="연구원", title_en="Researcher",
              note="연구원 doing science research is not generic"),
        _case("consistent", DEV, 5, salary=Salary(31_120_000, "annual", "krw_en"),
              note="salary exactly at the 2026 E-7-1 floor"),
        _case("consistent", WEB, 6, salary=Salary(16_500, "hourly", "hourly"),
              note="hourly 16,500 x 48 h x 4.345 x 12 = 41.3M"),
    ]
    return cases


def generic() -> list[Case]:
    pairs = [(GENERIC[i % len(GENERIC)], PROFESSIONALS[i]) for i in range(len(PROFESSIONALS))]
    cases = [_case("generic_title", occ, i, title_ko=ko, title_en=en,
                   expect=frozenset({"generic_title"})) for i, ((ko, en), occ) in enumerate(pairs)]
    cases.append(_case("generic_title", DEV, 3, title_ko="연구원", title_en="Researcher",
                       expect=frozenset({"generic_title"}), note="연구원 on software work"))
    return cases


def conflicts() -> list[Case]:
    return [_case("title_duties_conflict", duty, i, title_ko=title.title_ko,
                  title_en=title.title_en, expect=frozenset({"title_duties_conflict"}))
            for i, (title, duty) in enumerate(CONFLICTS)]


def vague() -> list[Case]:
    occs = PROFESSIONALS[:12]
    return [_case("vague_duties", occ, i, duties_ko=VAGUE[i % len(VAGUE)],
                  duties_en=(VAGUE_EN[i % len(VAGUE_EN)],), expect=frozenset({"vague_duties"}))
            for i, occ in enumerate(occs)]


def low_salary() -> list[Case]:
    pays = (Salary(2_300_000, "monthly", "monthly"), Salary(27_000_000, "annual", "manwon"),
            Salary(2_500_000, "monthly", "components", (("기본급", 2_100_000),
                                                        ("직무수당", 200_000), ("식대", 200_000))),
            Salary(29_000_000, "annual", "krw_en"), Salary(10_320, "hourly", "hourly"),
            Salary(12_000, "hourly", "hourly"),
            Salary(2_400_000, "monthly", "inclusive", inclusive=True),
            Salary(30_000_000, "annual", "annual_hangul"), Salary(2_550_000, "monthly", "monthly"),
            Salary(14_000, "hourly", "hourly"))
    cases = [_case("salary_below_floor", PROFESSIONALS[i], i, salary=pay,
                   weekly_hours=35 if i == 9 else 40, expect=frozenset({"salary_below_floor"}))
             for i, pay in enumerate(pays)]
    cases += [_case("salary_below_floor", HOTEL, 0, salary=Salary(2_100_000, "monthly", "monthly"),
                    expect=frozenset({"salary_below_floor"}), note="E-7-2 floor 25.89M"),
              _case("salary_below_floor", AIRCRAFT, 1,
                    salary=Salary(24_000_000, "annual", "krw_en"),
                    expect=frozenset({"salary_below_floor"}), note="E-7-3 floor 25.89M")]
    return cases


def no_salary() -> list[Case]:
    occs = PROFESSIONALS[3:15]
    return [_case("no_salary", occ, i, salary=Salary(None, "monthly", "none"),
                  expect=frozenset({"missing_salary"})) for i, occ in enumerate(occs)]


def not_e7() -> list[Case]:
    return [_case("not_e7_eligible", occ, i, expect=frozenset({"not_e7_eligible"}))
            for i, occ in enumerate(NOT_E7 + NOT_E7[:3])]


# Excluded for one occupation but listed under another sub-category: filed as E-7-1, the tour
# guide's work is the E-7-2 occupation 관광 통역 안내원, so wrong_subcategory is right as well.
ALSO = {"관광통역안내원": {"wrong_subcategory"}}


def excluded() -> list[Case]:
    return [Case("excluded_example", ko, en, duties, duties_en, "", monthly(i), stated,
                 expect=frozenset({"excluded_example", *ALSO.get(ko, ())}))
            for i, (ko, en, duties, duties_en, stated) in enumerate(EXCLUDED)]


def all_cases() -> list[Case]:
    return (consistent() + generic() + conflicts() + vague() + low_salary() + no_salary()
            + not_e7() + excluded())
