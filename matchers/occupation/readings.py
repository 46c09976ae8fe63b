"""What a list of candidates says, for the rules: their thresholds on the matcher's raw scores
live here, beside the matcher that makes the scores, so a matcher change retunes them in its own
wing and the rules keep asking the same questions (`confident`, `close_to_best`, `as_plausible`
...). Candidate scores are 0..1; lists are best first."""

from __future__ import annotations

from collections.abc import Callable

from matchers.knowledge.index import KIND_WEIGHT
from matchers.occupation.match import EXACT, NEAR_SHARE
from matchers.records import OccupationCandidate

Cands = list[OccupationCandidate]

# A best candidate this strong is read on its own; a weaker one (down to WEAK_SCORE) only when its
# 2-digit group holds GROUP_SHARE of the top-5 score mass or it leads the runner-up by CLOSE_SCORE
# (a clear margin).
STRONG_SCORE = 0.45
WEAK_SCORE = 0.25
GROUP_SHARE = 0.45
CORROBORATE_RANK = 3  # a title's code among this many best duty readings: the duties back it
CLOSE_SCORE = 0.1  # candidates this close to the best are equally plausible readings
MOSTLY_SHARE = 0.6  # score share on the accepted codes that makes the readings mostly theirs
MOSTLY_MASS = 0.5  # ... and at least this much summed score on the best three (not noise)
TOP = 5
# Score of a title named exactly in the dictionary (the matcher's EXACT floor times the weakest
# non-'related' title kind): a reading this strong names its occupation on its own.
EXACT_READING = EXACT * min(w for kind, w in KIND_WEIGHT.items() if kind != "related")


def share_of(cands: Cands, keep: Callable[[OccupationCandidate], bool]) -> float:
    """Share of the top candidates' score mass held by the candidates `keep` accepts."""
    top = cands[:TOP]
    total = sum(c.score for c in top)
    return sum(c.score for c in top if keep(c)) / total if total else 0.0


def confident(cands: Cands) -> OccupationCandidate | None:
    """Best candidate when it is strong enough to act on: strong alone, backed by its group, or
    clearly ahead of the runner-up."""
    if not cands or cands[0].score < WEAK_SCORE:
        return None
    best = cands[0]
    backed = share_of(cands, lambda c: c.code[:2] == best.code[:2]) >= GROUP_SHARE
    ahead = len(cands) < 2 or best.score - cands[1].score >= CLOSE_SCORE
    return best if best.score >= STRONG_SCORE or backed or ahead else None


def unambiguous(cands: Cands) -> bool:
    """The best reading names one occupation: strong (STRONG_SCORE), and as strong as an exact
    dictionary title (EXACT_READING), or CLOSE_SCORE ahead of the runner-up, or the runner-up a
    neighbour in its 2-digit group (백엔드 개발자: 2223 and 2224 are one kind of work). 'Game
    Artist' read 0.52 as 2223 and 0.43 as 4224 is not, nor '팀장' read 0.38 as 4312: partial
    word matches name no occupation."""
    if not cands or cands[0].score < STRONG_SCORE:
        return False
    best = cands[0]
    if best.score >= EXACT_READING or len(cands) < 2:
        return True
    runner = cands[1]
    return best.score - runner.score >= CLOSE_SCORE or runner.code[:2] == best.code[:2]


def not_weak(cands: Cands) -> OccupationCandidate | None:
    """The first candidate when it is not weak (no group backing or margin required)."""
    return cands[0] if cands and cands[0].score >= WEAK_SCORE else None


def strong(cand: OccupationCandidate) -> bool:
    """A reading strong enough to stand on its own."""
    return cand.score >= STRONG_SCORE


def leading_group(cands: Cands) -> tuple[str, OccupationCandidate] | None:
    """(2-digit group, its best candidate) when the readings' score mass leads in one group: as
    much as one strong reading (STRONG_SCORE), and GROUP_SHARE of the top-5 mass or CLOSE_SCORE
    ahead of the next group (the group-level analogue of `confident`)."""
    mass: dict[str, float] = {}
    for c in cands[:TOP]:
        mass[c.code[:2]] = mass.get(c.code[:2], 0.0) + c.score
    if not mass:
        return None
    ranked = sorted(mass.items(), key=lambda kv: -kv[1])
    group, lead = ranked[0]
    runner = ranked[1][1] if len(ranked) > 1 else 0.0
    if lead < STRONG_SCORE or (lead / sum(mass.values()) < GROUP_SHARE
                             and lead - runner < CLOSE_SCORE):
        return None
    return group, next(c for c in cands if c.code[:2] == group)


def among_best(cands: Cands, code: str) -> bool:
    """`code` is among the few best readings (CORROBORATE_RANK)."""
    return any(c.code == code for c in cands[:CORROBORATE_RANK])


def close_to_best(cands: Cands) -> Cands:
    """Candidates as plausible as the best one (within CLOSE_SCORE of it, among the top 5)."""
    return [c for c in cands[:TOP] if c.score >= cands[0].score - CLOSE_SCORE]


def trails(cands: Cands, code: str, best: OccupationCandidate) -> bool:
    """`code`'s reading among the top 5 (none counts as 0) is more than CLOSE_SCORE behind `best`."""
    backing = max((c.score for c in cands[:TOP] if c.code == code), default=0.0)
    return backing < best.score - CLOSE_SCORE


def mostly(cands: Cands, keep: Callable[[OccupationCandidate], bool]) -> bool:
    """Most of the readings' score lies on the codes `keep` accepts, even if which one is
    uncertain: MOSTLY_SHARE of the top-5 mass and MOSTLY_MASS summed over the best three."""
    mass = sum(c.score for c in cands[:3] if keep(c))
    return mass >= MOSTLY_MASS and share_of(cands, keep) >= MOSTLY_SHARE


def near_best(cands: Cands, share: float = NEAR_SHARE) -> list[str]:
    """Codes among the three best readings with at least `share` of the best score (2222 and
    2223 for backend work): the readings a person's history counts as the work's code too."""
    return [c.code for c in cands[:3] if c.score >= share * cands[0].score]


def plausible(code: str, cands: Cands) -> bool:
    """`code` is a plausible reading too: among the top 3 and not weak."""
    return any(c.code == code and c.score >= WEAK_SCORE for c in cands[:3])


def as_plausible(code: str, cands: Cands) -> bool:
    """`code` is a reading as plausible as the best one (`plausible`), unless the best reading
    is as strong as an exact dictionary title (EXACT_READING) and `code` trails it by more than
    CLOSE_SCORE: a title that names one occupation exactly is not ambiguous, and a reading far
    behind it comes from a shared word ('Architect' 0.95 as 2311 건축가, 0.67 as a software
    architect). Weaker best readings stay tolerant (1350 0.8 vs 2211 0.5 is ambiguous)."""
    if not plausible(code, cands):
        return False
    best = cands[0].score
    return best < EXACT_READING or any(
        c.code == code and c.score >= best - CLOSE_SCORE for c in cands[:3])
