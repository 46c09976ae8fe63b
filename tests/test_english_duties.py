"""English duty text projected into Korean duty vocabulary (matchers.occupation.english_duties)."""

from __future__ import annotations

import copy

import pytest

from matchers.occupation.english_duties import glossary, is_english, project, singular, stem
from matchers.occupation.match import get_matcher, match_texts


def words(text: str) -> set[str]:
    return set(project(text).text.split())


@pytest.mark.parametrize(
    ("duties", "expected", "absent"),
    [
        # software
        ("Design, develop and maintain backend APIs and microservices in Java.",
         {"개발", "백엔드", "API", "설계"}, {"디자인"}),
        # marketing
        ("Plan marketing campaigns, manage social media channels and write press releases.",
         {"마케팅", "캠페인", "SNS", "홍보"}, set()),
        # research
        ("Conduct experiments in the laboratory and write research papers on the results.",
         {"실험", "실험실", "논문"}, set()),
        # design: the arts reading of "design"
        ("Design brand logos, posters and product packaging.",
         {"디자인", "로고", "브랜드"}, {"설계"}),
        # accounting
        ("Enter accounting vouchers, keep the books and issue tax invoices.",
         {"회계", "전표", "장부", "세금계산서"}, {"예약"}),
        # translation
        ("Translate contracts and technical documents and interpret at meetings.",
         {"번역", "통역", "계약"}, set()),
        # mechanical engineering
        ("Design industrial machinery with 3D CAD and test prototype performance.",
         {"설계", "기계", "CAD", "시제품", "성능"}, {"디자인"}),
        # office assistant
        ("Answer telephone calls, enter data and file documents for the office.",
         {"전화", "입력", "서류", "사무"}, set()),
    ],
)
def test_typical_duties_project_to_korean_vocabulary(duties, expected, absent):
    got = words(duties)
    assert expected <= got, expected - got
    assert not (absent & got)
    left = {w.strip(",.").lower() for w in duties.split()} & set(project(duties).text.split())
    assert not {w for w in left if len(w) > 3}  # no English word left over


def test_korean_text_unchanged():
    text = "웹 서비스의 서버를 설계하고 개발한다. 데이터베이스를 연동한다."
    p = project(text)
    assert p.text == text
    assert p.english_words == 0 and p.coverage == 0.0
    assert not is_english(text)


@pytest.mark.parametrize("text, added", [
    ("자바(Java)와 스프링으로 서버 프로그램을 개발한다", "자바"),
    ("PLC 제어 프로그램 작성 및 설비 점검", "제어"),
    ("CFS(Container Freight Station) 화물 입고 관리", None),
    ("건축 설계(Planning and Design) 및 인허가 도서 작성", "설계"),
    ("React 기반 웹 화면 개발", "프로그램"),
    ("웹 서비스의 서버 API를 설계하고 개발한다", "인터페이스"),
])
def test_lone_latin_terms_in_korean_text_add_their_vocabulary(text, added):
    """Lone terms keep the Korean text as written and add glossary words after it."""
    p = project(text)
    assert p.text.startswith(text)
    if added:
        assert added in p.text[len(text):]
    assert p.english_words == 0  # not English prose: the rules' English checks ignore them
    assert not is_english(text)


def test_unknown_latin_term_adds_nothing():
    text = "XQZ 모듈 설비 점검"
    assert project(text).text == text


def test_english_prose_inside_korean_text_is_rewritten():
    p = project("담당 업무: develop and maintain the web server 및 기타")
    assert "개발" in p.text and "웹" in p.text and "maintain" not in p.text
    assert p.text.startswith("담당 업무")


def test_stemming_and_plurals():
    assert stem("develops") == stem("developing") == stem("developed") == stem("develop")
    assert singular("activities") == "activity"
    assert singular("processes") == "process"
    assert singular("business") == "business"
    assert project("develops APIs").text == project("develop API").text
    assert project("Translated documents").text == project("translate document").text


def test_stem_collisions_read_as_the_base_word():
    assert "프로그래머" not in words("Plan employee welfare programmes.")
    assert "공연" not in words("Performed penetration tests.")  # perform, not performance art
    exact, stemmed = glossary()
    assert exact[("program",)] == stemmed[(stem("program"),)]


def test_design_reading_depends_on_the_domain():
    assert "설계" in words("Design electronic circuits for display boards.")
    assert "디자인" not in words("Design electronic circuits for display boards.")
    assert "디자인" in words("Design women's clothing collections.")


def test_coverage_counts_known_words():
    full = project("Develop software.")
    assert full.english_words == 2 and full.coverage == 1.0
    part = project("Develop zorblax software.")
    assert part.english_words == 3 and part.known_words == 2
    assert project("").coverage == 0.0


@pytest.mark.parametrize(
    ("duties", "group"),
    [
        (("Develop and maintain server applications in Java and Spring, write unit tests and "
         "review source code."), "222"),
        (("Build responsive websites with HTML, CSS and JavaScript and integrate them with the "
         "backend web server."), "222"),
        (("Translate business documents from English into Korean and interpret at meetings with "
         "foreign clients."), "281"),
        ("Provide nursing care to ward patients, give medication and keep nursing records.",
         "243"),
        ("Weld steel pipes and structures with TIG and arc welding and check weld quality.",
         "743"),
        (("Design machine parts with 3D CAD, run strength analysis and test prototypes of "
         "industrial machinery."), "235"),
        (("Monitor the firewall and intrusion detection system, analyse security vulnerabilities "
         "and respond to hacking incidents."), "223"),
        (("Plan advertising campaigns and public relations, write press releases and manage the "
         "brand on social media."), "273"),
    ],
)
def test_english_duties_land_in_the_right_group(duties, group):
    match = match_texts(duties=duties)
    assert match.duties_candidates[0].code[:3] == group


def unprojected(m):
    """A copy of the shared matcher that reads English duty runs as they are."""
    plain = copy.copy(m)
    plain.project_english = False
    return plain


def test_projection_does_not_change_korean_matching():
    m = get_matcher()
    text = "병동 입원 환자 간호 및 투약 관리, 활력징후 측정 및 간호기록 작성"
    with_projection = [c.code for c in match_texts(duties=text, matcher=m).candidates]
    without = [c.code for c in match_texts(duties=text, matcher=unprojected(m)).candidates]
    assert with_projection == without


def test_english_duties_need_the_projection():
    m = get_matcher()
    duties = "Translate contracts and technical documents and interpret at meetings."
    without = match_texts(duties=duties, matcher=unprojected(m)).duties_candidates
    assert not without or without[0].code != "2814"
    assert match_texts(duties=duties, matcher=m).duties_candidates[0].code == "2814"


def english_contract(title_en: str, duties: str, title_ko: str | None = None):
    from extractors.records import ContractFields, FieldValue, SalaryField, TitleField
    return ContractFields(
        job_title=TitleField(value=title_ko or title_en, value_en=title_en, found=True),
        duties=FieldValue(value=duties, found=True),
        salary=SalaryField(amount_krw=4_500_000, period="monthly", annual_krw=54_000_000,
                           found=True),
        stated_visa=FieldValue(value="E-7-1", found=True))


def rules_for(fields) -> set[str]:
    from matchers.occupation.match import match_occupation
    from matchers.rules import evaluate_rules
    return {f.rule for f in evaluate_rules(fields, match_occupation(fields))}


SOFTWARE = ("Design, develop and maintain backend APIs in Java and Spring, write unit tests and "
            "review source code.")
TRANSLATION = ("Translate contracts and technical documents from Korean into English and "
               "interpret at business meetings.")


def test_rules_read_english_only_contracts():
    assert "generic_title" in rules_for(english_contract("Office Assistant", SOFTWARE))
    assert "generic_title" in rules_for(english_contract("Office Assistant", SOFTWARE, "사무보조원"))
    assert "title_duties_conflict" in rules_for(english_contract("Nurse", TRANSLATION))
    for title, duties in (("Software Engineer", SOFTWARE), ("Backend Developer", SOFTWARE),
                          ("Translator", TRANSLATION)):
        found = rules_for(english_contract(title, duties))
        assert not found & {"generic_title", "title_duties_conflict", "not_e7_eligible"}, title


def test_english_only_title_is_read_as_english():
    match = match_texts("Nurse")  # an offer letter's title lands in the Korean slot
    assert match.title_candidates[0].code == "2430"
