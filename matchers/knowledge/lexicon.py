"""Word lists the rules read: generic titles, boilerplate duty phrases, management cues."""

from __future__ import annotations

import re
import unicodedata

# Titles that name no occupation, by kind. "plain": clerical or rank-only words; "manager":
# not generic when the duties really manage; "researcher": not generic for science research.
GENERIC_TITLES: dict[str, str] = {
    **dict.fromkeys((
        "사무보조원", "사무보조", "사무원", "일반사무원", "사무직", "사무직원", "행정직원",
        "행정사무원", "일반직", "직원", "사원", "정사원", "팀원", "인턴", "수습", "수습사원",
        "근로자", "보조원", "업무보조원", "어시스턴트", "스태프", "스탭", "주임", "대리", "계약직원",
        "staff", "employee", "worker", "officeassistant", "assistant", "adminassistant",
        "administrativeassistant", "clerk", "officeclerk", "generalclerk", "officeworker",
        "officestaff", "generalstaff", "adminstaff", "teammember", "member", "associate",
        "intern", "trainee", "generalaffairs",
    ), "plain"),
    **dict.fromkeys((
        "매니저", "팀장", "과장", "차장", "부장", "실장", "본부장", "관리자", "책임자",
        "manager", "teamlead", "teamleader", "supervisor", "head", "officemanager",
    ), "manager"),
    **dict.fromkeys(("연구원", "연구직", "researcher", "researchstaff"), "researcher"),
}

# Words by which a title says its holder manages (KSCO major group 1 classifies managers by that
# responsibility): Korean ones end compounds (광고홍보관리자, 마케팅팀장), English ones are words.
MANAGEMENT_TITLE_WORDS_KO = (
    "관리자", "매니저", "팀장", "과장", "차장", "부장", "실장", "본부장", "책임자", "이사", "상무",
    "전무", "대표", "사장", "임원", "지점장", "점장", "소장", "원장", "센터장", "국장", "공장장",
    "지배인", "총괄", "단장", "처장", "감독관",
)
MANAGEMENT_TITLE_WORDS_EN = frozenset((
    "manager", "management", "director", "head", "chief", "executive", "president", "vp",
    "supervisor", "lead", "leader", "ceo", "cfo", "cto", "coo", "cmo", "cio", "principal",
    "administrator", "owner", "partner",
))
_LATIN_WORD = re.compile(r"[a-z]+")


def names_management(title: str) -> bool:
    """The title says its holder manages (MANAGEMENT_TITLE_WORDS_*): only such a title can be
    read as a manager's occupation (KSCO 1xxx); '해외 마케팅' and 'Campaign Designer' cannot."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    return (any(w in text for w in MANAGEMENT_TITLE_WORDS_KO)
            or any(w in MANAGEMENT_TITLE_WORDS_EN for w in _LATIN_WORD.findall(text)))


# Words that qualify a title without naming an occupation; dropped before the lexicon lookup.
TITLE_MODIFIERS = frozenset((
    "신입", "정규직", "계약직", "일반", "선임", "책임", "수석", "주니어", "시니어", "전임",
    "외국인", "senior", "junior", "general", "regular", "contract", "fulltime", "parttime",
    "full-time", "part-time", "foreign", "new", "lead", "chief", "principal",
))

# Boilerplate that says nothing about the work; removed before measuring what is left.
BOILERPLATE_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"(회사|사용자|사업주|상사|상급자|대표|부서장)\s*(가|이|의|에서)?\s*(지시|지정|요구|부여|명)\S*\s*(하는|한|된|받은)?",
    r"(기타|그\s*밖의|제반|부수|부대|관련|일반|전반|일체)\s*(적인|의)?",
    (r"(other\s+)?(duties|tasks|work|responsibilities)\s+(as\s+)?"
     r"(assigned|directed|required|instructed)"
    r"(\s+by\s+(the\s+)?(company|employer|manager|supervisor))?"),
    r"as\s+(assigned|directed|required|instructed)(\s+by\s+(the\s+)?(company|employer|manager))?",
    r"\b(all|any|other|related|general|miscellaneous|various)\b",
))

# Function words left after the boilerplate is gone; they do not describe work.
DUTY_STOPWORDS = frozenset((
    "업무", "업무를", "업무의", "업무에", "일", "등", "및", "또는", "수행", "담당", "처리", "사항",
    "회사", "직무", "내용", "전반", "일체", "기타", "포함", "한다", "함", "것",
    "duties", "duty", "tasks", "task", "work", "job", "jobs", "the", "and", "or", "of", "to",
    "as", "by", "for", "in", "on", "a", "an", "company", "employer", "perform", "performs",
    "assigned", "including", "etc", "such", "be", "will", "shall", "with",
))

# Duty phrases that show the person manages people, a unit or a budget.
MANAGEMENT_CUES = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"(조직|팀|부서|인력|직원|인원|지점|사업부|본부)\s*(을|를)?\s*(관리|운영|총괄|지휘|감독)",
    r"총괄", r"지휘", r"감독", r"예산\s*(수립|관리|편성)", r"(인사|성과)\s*평가", r"목표\s*수립",
    (r"\b(manag\w*|lead|leads|leading|supervis\w*|oversee\w*|direct\w*|head\w*)\b[^.;\n]{0,40}?"
     r"\b(team|teams|staff|department|unit|branch|division|people|engineers|budget)\b"),
    r"\bp&l\b", r"\bheadcount\b", r"\bbudget\b",
))

# Informative length under which duties say too little: Hangul syllables + Latin letters / 2.5
# (an English word carries about as much as 2-3 syllables).
MIN_INFORMATIVE = 6.0
_WORD = re.compile(r"[0-9a-z&+#.\-]+|[가-힣]+")
_PARTICLE = re.compile(r"(을|를|이|가|은|는|의|에|와|과|로|으로|에서)$")


def informative_size(text: str) -> float:
    """How much of the duties text describes work once boilerplate and filler are gone."""
    rest = unicodedata.normalize("NFKC", text or "").lower()
    for pattern in BOILERPLATE_PATTERNS:
        rest = pattern.sub(" ", rest)
    size = 0.0
    for word in _WORD.findall(rest):
        word = _PARTICLE.sub("", word) if word[0] >= "가" else word
        if word in DUTY_STOPWORDS or len(word) < 2:
            continue
        size += len(word) if word[0] >= "가" else len(word) / 2.5
    return size
_HANGUL_CHAR = re.compile(r"[가-힣]")
_LATIN_CHAR = re.compile(r"[A-Za-z]")
MIN_HANGUL_SHARE = 0.3


def mostly_korean(text: str) -> bool:
    """At least MIN_HANGUL_SHARE of the letters are Hangul syllables."""
    hangul = len(_HANGUL_CHAR.findall(text or ""))
    latin = len(_LATIN_CHAR.findall(text or "")) / 2.5  # letters per syllable, roughly
    return hangul > 0 and hangul / (hangul + latin) >= MIN_HANGUL_SHARE


_SEPARATORS = re.compile(r"[/()\[\],|·;:]+")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """NFKC, lower case, no spaces: the form every lexicon lookup uses."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or "")).lower()


def title_parts(title: str) -> list[list[str]]:
    """A title split at slashes/brackets into parts, each a list of lower-case words."""
    text = unicodedata.normalize("NFKC", title or "").lower()
    parts = [p.split() for p in _SEPARATORS.split(text)]
    return [p for p in parts if p]


def generic_kind(title: str) -> str | None:
    """The generic kind when every part of the title is a generic word, else None."""
    kinds = []
    for words in title_parts(title):
        core = [w.replace("-", "").replace(".", "") for w in words
                if w.strip(".-") not in TITLE_MODIFIERS]
        kind = GENERIC_TITLES.get("".join(core)) if core else "plain"
        if kind is None:  # each word generic on its own (일반직 사원, Staff Associate)
            each = [GENERIC_TITLES.get(w) for w in core]
            if len(core) < 2 or None in each:
                return None
            kind = "plain" if "plain" in each else each[0]
        kinds.append(kind)
    if not kinds:
        return None
    return "plain" if "plain" in kinds else kinds[0]


# Heads of a Korean compound title that name no work (매장직원, 물류팀원, 생산근로자): the rest
# names where the person works, not what they do (matchers.occupation.match.bare_headed).
BARE_HEADS_KO = frozenset(("직원", "사원", "팀원", "근로자", "스태프", "스탭", "인턴"))


def has_management_cue(text: str) -> bool:
    return any(p.search(text or "") for p in MANAGEMENT_CUES)
