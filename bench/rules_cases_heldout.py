"""Held-out labelled cases for bench.rules, written before the rules were tuned on
bench.rules_cases (the test set).

Other occupations, other generic titles and other wording than the test set: modern contract
duty lines (tool names in Latin letters, short lines), E-7-2/E-7-3 work, work outside the E-7
list, and borderline titles. Labels follow the rules' definitions (docs/RULES.md) and were fixed
when the cases were written; they are not to be changed to fit the rules' output.
"""

from __future__ import annotations

from bench.rules_cases import Case, monthly
from fixtures.spec import Occupation, Salary

# --- professional work (E-7-1) ---
MOBILE = Occupation(
    "모바일 앱 개발자", "Mobile App Developer",
    ("Android·iOS 모바일 앱 신규 기능 개발 및 스토어 배포(Kotlin, Swift)",
     "앱 crash 로그 분석 및 장애 대응"),
    ("Develop and release new Android and iOS app features (Kotlin, Swift)",
     "Analyse app crash logs and handle incidents"), "2223")
CLOUD = Occupation(
    "클라우드 엔지니어", "Cloud Engineer",
    ("AWS 기반 클라우드 서버 인프라 구축 및 운영", "Kubernetes 컨테이너 배포 자동화 및 시스템 모니터링"),
    ("Build and run AWS cloud server infrastructure",
     "Automate Kubernetes container deployment and monitor systems"), "2221")
CIVIL = Occupation(
    "토목 기술자", "Civil Engineer",
    ("교량 및 도로 구조물 설계와 구조 계산", "토목 공사 현장 시공 관리 및 품질 검토"),
    ("Design bridges and road structures and run structural calculations",
     "Manage civil construction on site and review quality"), "2313")
ELECTRICAL = Occupation(
    "전기 설계 엔지니어", "Electrical Design Engineer",
    ("공장 수배전 설비 전기 설계 및 부하 계산", "PLC 제어반 전기 도면 작성 및 시운전"),
    ("Design factory power distribution and calculate loads",
     "Draw PLC control panel wiring diagrams and commission them"), "2341")
ENVIRONMENT = Occupation(
    "환경공학 기술자", "Environmental Engineer",
    ("폐수 처리 시설 공정 설계 및 수질 분석", "대기오염 방지 설비 운영 개선 및 환경 영향 검토"),
    ("Design wastewater treatment processes and analyse water quality",
     "Improve air pollution control equipment and review environmental impact"), "2371")
ADS = Occupation(
    "광고 홍보 전문가", "Advertising Specialist",
    ("SNS 광고 캠페인 기획 및 집행(Instagram, YouTube)", "온라인 광고 성과 분석 및 브랜드 홍보 콘텐츠 기획"),
    ("Plan and run social media ad campaigns (Instagram, YouTube)",
     "Analyse online ad performance and plan brand PR content"), "2733")
INVEST = Occupation(
    "투자 분석가", "Investment Analyst",
    ("상장 기업 재무제표 분석 및 기업 가치 평가", "투자 의견 보고서 작성 및 신용 위험 검토"),
    ("Analyse listed companies' financial statements and value companies",
     "Write investment reports and review credit risk"), "2721")
PRODUCT = Occupation(
    "제품 디자이너", "Product Designer",
    ("소형 가전제품 외관 디자인 및 3D 렌더링", "제품 디자인 목업 제작 및 색상·소재 기획"),
    ("Design the exterior of small home appliances and make 3D renderings",
     "Build product design mock-ups and plan colours and materials"), "2851")
LECTURER = Occupation(
    "대학 시간강사", "University Lecturer",
    ("대학 교양 영어 회화 강의", "강의 계획서 작성 및 학생 과제·시험 평가"),
    ("Teach English conversation courses at the university",
     "Write syllabi and grade students' assignments and exams"), "2512")
ROBOT = Occupation(
    "로봇공학 기술자", "Robotics Engineer",
    ("협동 로봇 제어 소프트웨어 개발(ROS)", "로봇 팔 기구 설계 및 동작 성능 시험"),
    ("Develop collaborative robot control software (ROS)",
     "Design robot arm mechanisms and test motion performance"), "2352")
TELECOM = Occupation(
    "통신공학 기술자", "Telecommunications Engineer",
    ("5G 기지국 무선 통신망 설계 및 최적화", "통신 장비 성능 시험 및 전파 측정"),
    ("Design and optimise 5G base station radio networks",
     "Test telecom equipment performance and measure radio signals"), "2212")
GAME = Occupation(
    "게임 프로그래머", "Game Programmer",
    ("Unity 엔진 기반 모바일 게임 클라이언트 개발", "게임 서버 연동 및 프레임 성능 최적화"),
    ("Develop mobile game clients on the Unity engine",
     "Connect game servers and optimise frame performance"), "2223")
SAFETY = Occupation(
    "산업안전 관리원", "Safety Engineer",
    ("건설 현장 위험성 평가 및 정기 안전 점검", "산업재해 예방 교육 및 안전 관리 계획 수립"),
    ("Assess risks and inspect safety on construction sites",
     "Train workers in accident prevention and draw up safety plans"), "2364")
MATERIALS = Occupation(
    "재료공학 연구원", "Materials Engineer",
    ("이차전지 양극재 소재 합성 및 물성 분석", "금속 재료 열처리 조건 연구 및 시험 보고서 작성"),
    ("Synthesise battery cathode materials and analyse their properties",
     "Study heat treatment of metal materials and write test reports"), "2331")
INTERIOR = Occupation(
    "실내 디자이너", "Interior Designer",
    ("상업 공간 인테리어 디자인 및 도면 작성(AutoCAD, SketchUp)", "마감재 선정 및 시공 현장 디자인 감리"),
    ("Design commercial interiors and draw plans (AutoCAD, SketchUp)",
     "Select finishing materials and supervise the design on site"), "2853")
SCIENTIST = Occupation(
    "대기환경 연구원", "Atmospheric Scientist",
    ("대기 중 미세먼지 시료 채취 및 화학 성분 분석", "대기 질 관측 자료 해석 및 연구 논문 작성"),
    ("Sample airborne fine dust and analyse its chemical make-up",
     "Interpret air quality observations and write research papers"), "2112")

# --- E-7-2 / E-7-3 work ---
CS_AGENT = Occupation(
    "고객 상담원", "Customer Service Representative",
    ("외국인 고객 전화 및 채팅 상담", "주문·환불 문의 처리 및 상담 이력 기록"),
    ("Answer foreign customers by phone and chat",
     "Handle order and refund enquiries and log consultations"), "3991", "E-7-2")
CAR_MECH = Occupation(
    "자동차 정비원", "Automotive Mechanic",
    ("승용차 엔진 및 제동 장치 점검과 정비", "차량 진단기를 이용한 고장 진단 및 부품 교체"),
    ("Inspect and repair car engines and brakes",
     "Diagnose faults with scan tools and replace parts"), "7510", "E-7-3")
WELDER = Occupation(
    "용접원", "Welder",
    ("선박 블록 CO2 용접 및 TIG 용접", "용접 부위 외관 검사 및 보수 용접"),
    ("Weld ship blocks with CO2 and TIG welding", "Inspect welds and repair them"),
    "7430", "E-7-3")
CHINESE_COOK = Occupation(
    "중식 조리사", "Chinese Cuisine Cook",
    ("중식 요리 조리 및 신메뉴 개발", "주방 식재료 발주 및 위생 관리"),
    ("Cook Chinese dishes and develop new menu items",
     "Order kitchen ingredients and keep the kitchen hygienic"), "4412", "E-7-2")

# --- work outside the E-7 list ---
KITCHEN_HELPER = Occupation(
    "주방 보조원", "Kitchen Helper",
    ("식재료 세척 및 손질 보조", "주방 설거지 및 조리 도구 정리"),
    ("Wash and prepare ingredients", "Wash dishes and tidy cooking utensils"), "9522")
COURIER = Occupation(
    "택배원", "Parcel Courier",
    ("택배 물품 분류 및 담당 구역 배송", "배송 차량 상하차 및 수령 확인"),
    ("Sort parcels and deliver them in the assigned area",
     "Load and unload the delivery van and confirm receipt"), "9222")
STORE = Occupation(
    "편의점 판매원", "Convenience Store Clerk",
    ("편의점 계산 및 상품 진열", "유통기한 확인 및 매장 정리"),
    ("Run the till and stock shelves at a convenience store",
     "Check expiry dates and tidy the store"), "5212")
HOUSEKEEPER = Occupation(
    "가사 도우미", "Housekeeper",
    ("가정 방문 청소 및 세탁", "식사 준비 보조 및 정리정돈"),
    ("Clean and do laundry in clients' homes", "Help prepare meals and tidy up"), "9511")
TRUCK = Occupation(
    "화물차 운전원", "Truck Driver",
    ("화물 트럭 운전 및 물류센터 간 운송", "차량 일상 점검 및 운행 일지 작성"),
    ("Drive freight trucks between logistics centres",
     "Check the truck daily and keep the driving log"), "8733")
GENERAL_AFFAIRS = Occupation(
    "총무 사무원", "General Affairs Clerk",
    ("사내 비품 구매 및 자산 관리", "사내 행사 준비 및 출장 예약 지원"),
    ("Buy office supplies and keep the asset register",
     "Prepare company events and book business trips"), "3127")

PROFESSIONALS = (MOBILE, CLOUD, CIVIL, ELECTRICAL, ENVIRONMENT, ADS, INVEST, PRODUCT, LECTURER,
                 ROBOT, TELECOM, GAME, SAFETY, MATERIALS, INTERIOR)
GENERIC = (("일반사무원", "General Clerk"), ("사무직원", "Office Staff"),
           ("계약직원", "Contract Employee"), ("업무보조원", "Admin Assistant"),
           ("정사원", "Regular Employee"), ("수습사원", "Trainee"),
           ("신입 사원", "New Employee"), ("행정직원", "Administrative Staff"),
           ("근로자", "Worker"), ("주임", "Associate"))
VAGUE = (("사업주가 지정하는 업무",), ("부서장이 지시하는 제반 업무",), ("기타 관련 업무 일체",),
         ("일반 사무 및 부수 업무",), ("회사 업무 지원",))
VAGUE_EN = ("Duties as required by the employer", "Any other work as directed",
            "General support duties", "Miscellaneous tasks as assigned by the manager",
            "Support for company work")
CONFLICTS = ((CIVIL, GAME), (ADS, CLOUD), (LECTURER, ELECTRICAL), (PRODUCT, INVEST),
             (CS_AGENT, MOBILE), (TELECOM, INTERIOR), (SAFETY, ADS), (CAR_MECH, TELECOM))
EXCLUDED = (
    ("커피 조리사", "Coffee Cook", ("에스프레소 커피 음료 제조", "카페 매장 원두 재고 관리"),
     ("Make espresso coffee drinks", "Manage the cafe's bean stock"), "E-7-2"),
    ("홍보 도우미", "Promotion Model", ("행사장 제품 홍보 및 전단 배포", "방문객 안내 및 경품 지급"),
     ("Promote products at events and hand out leaflets", "Guide visitors and give out prizes"),
     "E-7-2"),
    ("방문 판매원", "Door-to-door Salesperson", ("가정 방문 화장품 판매", "고객 명단 관리 및 재방문 상담"),
     ("Sell cosmetics door to door", "Keep the customer list and follow up"), "E-7-2"),
)


def _case(scenario: str, occ: Occupation, i: int, **kw) -> Case:
    base = {"title_ko": occ.title_ko, "title_en": occ.title_en, "duties_ko": occ.duties_ko,
            "duties_en": occ.duties_en, "ksco": occ.ksco, "salary": monthly(i + 2),
            "stated": occ.visa}
    return Case(scenario=scenario, **{**base, **kw})


def consistent() -> list[Case]:
    occs = (*PROFESSIONALS[:12], CS_AGENT, CAR_MECH, WELDER, CHINESE_COOK)
    cases = [_case("consistent", occ, i) for i, occ in enumerate(occs)]
    cases += [
        _case("consistent", CIVIL, 3, title_ko="팀장", title_en="Team Leader",
              duties_ko=("토목 설계팀 조직 관리 및 설계 검토 총괄", "교량 설계 일정 및 팀 예산 관리"),
              duties_en=("Lead the civil design team and review its designs",
                         "Manage bridge design schedules and the team budget"),
              note="a 팀장 who leads an engineering team is not generic"),
        _case("consistent", SCIENTIST, 5, title_ko="연구원", title_en="Researcher",
              note="연구원 doing natural-science research is not generic"),
    ]
    return cases


def generic() -> list[Case]:
    occs = (MOBILE, CLOUD, ELECTRICAL, ENVIRONMENT, INVEST, PRODUCT, ROBOT, GAME, MATERIALS,
            INTERIOR)
    cases = [_case("generic_title", occ, i, title_ko=ko, title_en=en,
                   expect=frozenset({"generic_title"}))
             for i, ((ko, en), occ) in enumerate(zip(GENERIC, occs, strict=True))]
    cases.append(_case("generic_title", TELECOM, 4, title_ko="과장", title_en="Manager",
                       expect=frozenset({"generic_title"}),
                       note="a 과장 doing engineering work without managing anyone"))
    return cases


def conflicts() -> list[Case]:
    return [_case("title_duties_conflict", duty, i, title_ko=title.title_ko,
                  title_en=title.title_en, expect=frozenset({"title_duties_conflict"}))
            for i, (title, duty) in enumerate(CONFLICTS)]


def vague() -> list[Case]:
    occs = (CLOUD, CIVIL, ADS, ROBOT, INTERIOR)
    return [_case("vague_duties", occ, i, duties_ko=VAGUE[i], duties_en=(VAGUE_EN[i],),
                  expect=frozenset({"vague_duties"})) for i, occ in enumerate(occs)]


def low_salary() -> list[Case]:
    pays = ((CIVIL, Salary(2_200_000, "monthly", "monthly")),
            (INVEST, Salary(28_000_000, "annual", "krw_en")),
            (GAME, Salary(11_000, "hourly", "hourly")),
            (CS_AGENT, Salary(2_000_000, "monthly", "components",
                              (("기본급", 1_700_000), ("직무수당", 100_000), ("식대", 200_000)))),
            (CAR_MECH, Salary(25_000_000, "annual", "manwon")))
    return [_case("salary_below_floor", occ, i, salary=pay, expect=frozenset({"salary_below_floor"}))
            for i, (occ, pay) in enumerate(pays)]


def no_salary() -> list[Case]:
    return [_case("no_salary", occ, i, salary=Salary(None, "monthly", "none"),
                  expect=frozenset({"missing_salary"}))
            for i, occ in enumerate((ENVIRONMENT, LECTURER, SAFETY))]


def not_e7() -> list[Case]:
    occs = (KITCHEN_HELPER, COURIER, STORE, HOUSEKEEPER, TRUCK, GENERAL_AFFAIRS)
    return [_case("not_e7_eligible", occ, i, expect=frozenset({"not_e7_eligible"}))
            for i, occ in enumerate(occs)]


def excluded() -> list[Case]:
    return [Case("excluded_example", ko, en, duties, duties_en, "", monthly(i), stated,
                 expect=frozenset({"excluded_example"}))
            for i, (ko, en, duties, duties_en, stated) in enumerate(EXCLUDED)]


def all_cases() -> list[Case]:
    return (consistent() + generic() + conflicts() + vague() + low_salary() + no_salary()
            + not_e7() + excluded())
