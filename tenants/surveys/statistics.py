"""The evaluation's arithmetic: shares with their 95% Wilson intervals, verdicts against thresholds, NPS.

Pure: plain numbers in, plain results out (no Flask, no session), so it is tested against hand-computed cases and
benchmarked alone.

Honest denominators: a criterion about respondents (network, activity, direction…) counts those who answered the
question; the employment criterion counts every mentee who took part, so that non-respondents are never silently
dropped (6 employed of 15 answering looks met against 1/3; 6 of 20 who took part is not). Fewer than MINIMUM answers
give no verdict at all.
"""

from dataclasses import dataclass
from enum import StrEnum
from math import sqrt

#: Below this many answers a share says too little to judge (and the national layer shows "<5").
MINIMUM = 5
#: The normal quantile of a two-sided 95% interval.
Z95 = 1.959963984540054


class Verdict(StrEnum):
    """What a criterion's figures say against its threshold."""

    MET = "met"
    NOT_MET = "not_met"
    NOT_ENOUGH_DATA = "not_enough_data"


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of a proportion (None with no trials); it stays within 0..1, also at 0 and n."""
    if trials < 0 or not 0 <= successes <= trials:
        raise ValueError(f"{successes} of {trials} is not a proportion")
    if trials == 0:
        return None
    p = successes / trials
    z2 = z * z
    centre = (p + z2 / (2 * trials)) / (1 + z2 / trials)
    half = z * sqrt(p * (1 - p) / trials + z2 / (4 * trials * trials)) / (1 + z2 / trials)
    # At 0 and at n the bound is exactly 0 or 1; rounding must not put it a hair outside.
    low = 0.0 if successes == 0 else max(0.0, centre - half)
    high = 1.0 if successes == trials else min(1.0, centre + half)
    return low, high


@dataclass(frozen=True)
class Result:
    """A criterion's figures for one round.

    `yes` of `denominator` said yes (the share and its interval); `answered` of `eligible` answered the question
    (the response rate); `non_respondents` are shown apart. `of_everyone` says which denominator was used.
    """

    yes: int
    answered: int
    eligible: int
    denominator: int
    of_everyone: bool
    threshold: float
    share: float | None
    interval: tuple[float, float] | None
    verdict: Verdict

    @property
    def response_rate(self) -> float | None:
        """Answered of those asked."""
        return self.answered / self.eligible if self.eligible else None

    @property
    def non_respondents(self) -> int:
        """Those asked who did not answer."""
        return max(0, self.eligible - self.answered)


def evaluate(threshold: float, yes: int, answered: int, eligible: int, *, of_everyone: bool = False,
             minimum: int = MINIMUM) -> Result:
    """A criterion's result: `yes` answers counting as yes among `answered`, of `eligible` people asked.

    With `of_everyone` (employment after 6 months) the share is of everyone eligible, non-respondents counted as
    not known to be employed; otherwise of those who answered. Fewer than `minimum` answers: no verdict.
    """
    if not 0 < threshold <= 1:
        raise ValueError(f"a threshold is a share above 0 and at most 1, not {threshold}")
    if not 0 <= yes <= answered <= eligible:
        raise ValueError(f"inconsistent counts: {yes} yes, {answered} answered, {eligible} asked")
    denominator = eligible if of_everyone else answered
    if answered < minimum:
        return Result(yes, answered, eligible, denominator, of_everyone, threshold, None, None,
                      Verdict.NOT_ENOUGH_DATA)
    share = yes / denominator
    # A share equal to the threshold meets it ("at least two thirds"); compare without float noise.
    verdict = Verdict.MET if share >= threshold - 1e-12 else Verdict.NOT_MET
    return Result(yes, answered, eligible, denominator, of_everyone, threshold, share,
                  wilson(yes, denominator), verdict)


def response_rate(answered: int, asked: int) -> float | None:
    """Answered of asked (None when nobody was asked)."""
    if not 0 <= answered <= asked:
        raise ValueError(f"{answered} answered of {asked} asked")
    return answered / asked if asked else None


@dataclass(frozen=True)
class Promoters:
    """A Net Promoter Score: promoters (9-10) minus detractors (0-6), in points from -100 to 100."""

    promoters: int
    passives: int
    detractors: int

    @property
    def answered(self) -> int:
        """Everyone who gave a score."""
        return self.promoters + self.passives + self.detractors

    @property
    def score(self) -> float | None:
        """The NPS, or None below the minimum of answers."""
        if self.answered < MINIMUM:
            return None
        return 100 * (self.promoters - self.detractors) / self.answered


def net_promoter(scores: list[int]) -> Promoters:
    """Count 0-10 "would recommend" scores as promoters, passives and detractors."""
    if any(not 0 <= score <= 10 for score in scores):
        raise ValueError("recommendation scores go from 0 to 10")
    return Promoters(promoters=sum(score >= 9 for score in scores), passives=sum(7 <= score <= 8 for score in scores),
                     detractors=sum(score <= 6 for score in scores))
