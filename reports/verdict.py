"""What a reader is told first: the verdict on a contract, the code to file under, finding names.

The processing status (success / partial / failed) says whether the document could be read; the
verdict says what HR has to do about the contract:

- `action_needed` (조치 필요): a high or medium finding; the action names the fix (an addendum
  correcting the title, a change of visa route, a wage amendment, the missing item).
- `review` (검토 필요): no finding that needs action, but a person has to look (a low finding
  that is not a mere F-2-7 note, a doubtful occupation code, a partly read document).
- `no_action` (문제 없음): nothing to do; informational F-2-7 notes may be present.
- `not_audited` (감사 불가): the document could not be audited (its problem says why).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from extractors.records import Status
from matchers.records import AddendumDraft, Finding, OccupationMatch, Severity
from reports.records import Verdict, VerdictKind

SEVERITY_RANK = {Severity.high: 0, Severity.medium: 1, Severity.low: 2}
# Notes on the F-2-7 outlook: informational, shown together in one low section.
INFORMATIONAL_RULES = frozenset({"f27_income_points", "f27_fast_track", "f27_professional_history"})
# Findings whose fix is retitling the contract by an addendum.
TITLE_RULES = frozenset({"generic_title", "title_duties_conflict", "missing_title",
                         "missing_korean_title", "title_language_disagreement"})
# Findings whose fix is the visa route, not the wording.
ROUTE_RULES = frozenset({"not_e7_eligible", "wrong_subcategory", "excluded_example"})


@dataclass(frozen=True)
class RuleName:
    ko: str
    en: str
    action_ko: str  # what to do, as the verdict line says it
    action_en: str


RULE_NAMES: dict[str, RuleName] = {
    "generic_title": RuleName("직위가 포괄적임", "Generic title",
                              "직위 정정", "correct the title"),
    "title_duties_conflict": RuleName("직위와 업무 내용 불일치", "Title and duties disagree",
                                      "직위 또는 업무 내용 정정", "make title and duties agree"),
    "title_duties_review": RuleName("직위와 업무 내용 확인 필요", "Check title against duties",
                                    "직위와 업무 내용 확인", "check title against duties"),
    "missing_korean_title": RuleName("한글 직위 없음", "No Korean title",
                                     "한글 직위 추가", "add the Korean title"),
    "title_language_disagreement": RuleName("한글·영문 직위 불일치", "Korean and English titles differ",
                                            "한글·영문 직위 일치", "make both titles agree"),
    "vague_duties": RuleName("업무 내용이 모호함", "Vague duties",
                             "업무 내용 구체화", "state the duties precisely"),
    "not_e7_eligible": RuleName("E-7 허용 직종 아님", "Not an E-7 occupation",
                                "체류자격 재검토", "reconsider the visa route"),
    "wrong_subcategory": RuleName("E-7 세부 자격 불일치", "Wrong E-7 sub-category",
                                  "신청 세부 자격 변경", "change the E-7 sub-category"),
    "excluded_example": RuleName("도입 불가 직무 해당", "Excluded job",
                                 "제외 직무 해당 여부 확인", "check the excluded job"),
    "e7_conditions_unverified": RuleName("E-7 허용 조건 확인 필요", "E-7 conditions to verify",
                                         "E-7 허용 조건 확인", "verify the E-7 conditions"),
    "salary_below_floor": RuleName("임금이 기준 미달", "Salary below the floor",
                                   "임금 인상 변경계약", "raise the salary by an amendment"),
    "salary_floor_unverifiable": RuleName("임금 기준 확인 필요", "Wage rule to verify",
                                          "임금 기준 확인", "verify the wage rule"),
    "missing_title": RuleName("직위 기재 없음", "No job title",
                              "직위 기재", "state the title"),
    "missing_duties": RuleName("업무 내용 기재 없음", "No duties",
                               "업무 내용 기재", "state the duties"),
    "missing_salary": RuleName("임금 기재 없음", "No salary",
                               "임금 기재", "state the salary"),
    "f27_professional_history": RuleName("F-2-7 경력 인정 안내", "F-2-7: professional history",
                                         "", ""),
    "f27_fast_track": RuleName("F-2-7 유망산업 트랙 안내", "F-2-7: fast-track outlook", "", ""),
    "f27_income_points": RuleName("F-2-7 소득 점수 안내", "F-2-7: income points", "", ""),
}

VERDICT_LABELS = {
    VerdictKind.action_needed: ("조치 필요", "Action needed"),
    VerdictKind.review: ("검토 필요", "Review"),
    VerdictKind.no_action: ("문제 없음", "No action"),
    VerdictKind.not_audited: ("감사 불가", "Not audited"),
}


def rule_name(rule: str) -> RuleName:
    """Human names of a rule id (the id itself when the table does not know it)."""
    return RULE_NAMES.get(rule, RuleName(rule, rule, "", ""))


def is_informational(finding: Finding | str) -> bool:
    rule = finding if isinstance(finding, str) else finding.rule
    return rule in INFORMATIONAL_RULES


def worst_severity(findings: list[Finding]) -> Severity | None:
    """The most severe finding's severity, informational F-2-7 notes left out (a contract with
    only notes has no severity to show); None without such findings."""
    ranked = [f.severity for f in findings if not is_informational(f)]
    return min(ranked, key=SEVERITY_RANK.__getitem__) if ranked else None


def judge(
    status: Status, findings: list[Finding], occupation: OccupationMatch,
    addendum: AddendumDraft | None,
) -> Verdict:
    """The verdict of one audited document (see the module docstring)."""
    worst = worst_severity(findings)
    if status is Status.failed:
        return _verdict(VerdictKind.not_audited, worst, "원본 파일 확인", "check the original file")
    actionable = [f for f in findings if f.severity in (Severity.high, Severity.medium)]
    if actionable:
        ko, en = _action(actionable, addendum)
        return _verdict(VerdictKind.action_needed, worst, ko, en,
                        rules=[f.rule for f in actionable])
    to_check = [f for f in findings if not is_informational(f)]
    if to_check:
        name = rule_name(to_check[0].rule)
        return _verdict(VerdictKind.review, worst, name.action_ko, name.action_en,
                        rules=[f.rule for f in to_check])
    if occupation.needs_review:
        return _verdict(VerdictKind.review, worst, "직업 코드 확인", "confirm the occupation code")
    if status is Status.partial:
        return _verdict(VerdictKind.review, worst, "읽기 문제 확인", "check the reading problems")
    return _verdict(VerdictKind.no_action, worst, "", "")


def _action(actionable: list[Finding], addendum: AddendumDraft | None) -> tuple[str, str]:
    rules = {f.rule for f in actionable}
    if addendum is not None and addendum.change_sponsorship:
        return "체류자격 경로 변경 검토", "change the visa route"
    if addendum is not None and rules & TITLE_RULES:
        return "직위 정정 부속합의서 권고", "addendum correcting the title"
    if rules & ROUTE_RULES and not rules & TITLE_RULES:
        name = rule_name(next(f.rule for f in actionable if f.rule in ROUTE_RULES))
        return name.action_ko, name.action_en
    name = rule_name(actionable[0].rule)
    return name.action_ko or name.ko, name.action_en or name.en


def _verdict(kind: VerdictKind, worst: Severity | None, action_ko: str, action_en: str, *,
             rules: Sequence[str] = ()) -> Verdict:
    ko, en = VERDICT_LABELS[kind]
    return Verdict(kind=kind, label_ko=ko, label_en=en, action_ko=action_ko, action_en=action_en,
                   worst_severity=worst, rules=list(rules))


def verdict_line(verdict: Verdict) -> str:
    """`조치 필요: 직위 정정 부속합의서 권고 / Action needed: addendum correcting the title`."""
    ko = f"{verdict.label_ko}: {verdict.action_ko}" if verdict.action_ko else verdict.label_ko
    en = f"{verdict.label_en}: {verdict.action_en}" if verdict.action_en else verdict.label_en
    return f"{ko} / {en}"


def recommend_code(
    occupation: OccupationMatch, findings: list[Finding], addendum: AddendumDraft | None,
) -> OccupationMatch:
    """`occupation` with the code HR should file under (`recommended_*`): the addendum's code
    when one is drafted; the duties' reading when the title misnames the job (to review, since
    no addendum pins it down); else the best candidate."""
    rules = {f.rule for f in findings}
    by_code = {c.code: c for c in [*occupation.candidates, *occupation.duties_candidates]}
    review, reason = occupation.needs_review, occupation.review_reason
    if addendum is not None:
        found = by_code.get(addendum.code)
        code, name, sub, basis = (addendum.code, addendum.title_ko,
                                  found.e7_subcategory if found else None, "addendum")
        name_en = addendum.title_en
    elif rules & {"generic_title", "title_duties_conflict"} and occupation.duties_candidates:
        best = occupation.duties_candidates[0]
        code, name, name_en, sub, basis = (best.code, best.name_ko, best.name_en,
                                           best.e7_subcategory, "duties")
        if not review:
            review, reason = True, "code read from the duties alone; the title names another job"
    elif occupation.candidates:
        best = occupation.candidates[0]
        code, name, name_en, sub, basis = (best.code, best.name_ko, best.name_en,
                                           best.e7_subcategory, "best_match")
    else:
        return occupation
    return occupation.model_copy(update={
        "recommended_code": code, "recommended_name_ko": name, "recommended_name_en": name_en,
        "recommended_e7_subcategory": sub, "recommended_basis": basis,
        "needs_review": review, "review_reason": reason,
    })
