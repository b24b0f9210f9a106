"""A round's figures against the success criteria, gathered in a fixed number of grouped queries.

Whatever the number of answers or rounds, one evaluation (or one comparison of many rounds) costs the same few
queries: the criteria, the rounds' sends, who was asked and who answered per send and per measuring point, the
answers counted per criterion, and the accepted participants. The arithmetic is `statistics.evaluate`'s.

Which answers count for a criterion: those of submitted responses to the round's sends whose survey sits at the
criterion's measuring point (closing: the closing survey; follow-up: the 6-month follow-up and the companies'
retention survey), from people of the criterion's role (both: mentors and mentees, each on its own row). People
are counted once per measuring point, even when two surveys there asked them (a city's own copy beside the
programme's). A criterion about respondents is out of those asked; one that counts everyone who took part
(employment after six months) is out of every accepted participant of the role, and those who did not answer are
shown apart, never dropped.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import format_percent
from sqlalchemy import and_, case, distinct, false, func, or_, select
from sqlalchemy.orm import Session

from mentorby.tenants.applications.models import ACCEPTED, Application
from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP, RUNNING, Cohort
from mentorby.tenants.programme import services as programme
from mentorby.tenants.programme.models import MeasuringPoint, Respondents, SuccessCriterion
from mentorby.tenants.surveys import sending
from mentorby.tenants.surveys.models import Answer, Moment, Question, QuestionKind, Response, Survey, SurveySend
from mentorby.tenants.surveys.statistics import MINIMUM, Result, Verdict, evaluate

#: The survey moments whose answers a measuring point reads.
MOMENTS = {
    MeasuringPoint.CLOSING: (Moment.CLOSING,),
    MeasuringPoint.FOLLOW_UP: (Moment.FOLLOW_UP, Moment.COMPANY),
}
#: The roles a criterion's rows are about: both is a row for mentors and one for mentees.
ROLES = {
    Respondents.MENTOR: ("mentor",),
    Respondents.MENTEE: ("mentee",),
    Respondents.BOTH: ("mentor", "mentee"),
    Respondents.COMPANY: ("company",),
}
#: The question whose "yes" lets a person's free-text answers be quoted (without their name).
QUOTE_CONSENT = "may_quote"
#: The most quotes a report shows.
MAX_QUOTES = 40
#: The most rounds a comparison shows (the newest); a city running two rounds a year reaches it after 20 years.
MAX_ROUNDS = 40
#: Rounds a comparison shows even before any survey went out (they have, or had, participants at work).
UNDER_WAY = (RUNNING, CLOSED, FOLLOWED_UP)


def percent(value: float | None) -> str:
    """A share as the page's language writes a percentage ("80%", "80 %"); a dash without one."""
    return "–" if value is None else format_percent(value)


# --- results -----------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    """One criterion for one role in one round: its result, and who was asked and answered at its measuring point."""

    criterion: SuccessCriterion
    role: str
    result: Result
    #: People of the role asked at the measuring point, and of them those who sent their answers.
    asked: int
    respondents: int

    @property
    def sent(self) -> bool:
        """Whether a survey at the criterion's measuring point has gone out to this role."""
        return self.asked > 0

    @property
    def verdict(self) -> Verdict:
        """Met, not met, or not enough data."""
        return self.result.verdict

    @property
    def role_label(self) -> str:
        """The role, as a column heading says it (Mentors, Mentees, Companies)."""
        return Respondents(self.role).label

    def as_data(self) -> dict:
        """The row's figures as plain data: what the API returns and the page shows."""
        result = self.result
        return {
            "code": self.criterion.code, "role": self.role, "question_key": self.criterion.question_key,
            "measured_at": self.criterion.measured_at.value, "threshold": float(self.criterion.threshold),
            "yes_values": list(self.criterion.yes_values), "of_everyone": result.of_everyone, "yes": result.yes,
            "answered": result.answered, "eligible": result.eligible, "denominator": result.denominator,
            "non_respondents": result.non_respondents, "share": result.share,
            "interval": list(result.interval) if result.interval else None, "verdict": result.verdict.value,
            "response_rate": result.response_rate, "asked": self.asked, "respondents": self.respondents,
            "sent": self.sent,
        }


@dataclass(frozen=True)
class SendRates:
    """A survey sent to the round, with how many of each role were asked and answered."""

    send_id: int
    survey_key: str
    version: int
    moment: Moment
    title_da: str
    title_en: str
    sent_on: date
    closes_on: date
    rates: list[sending.RoleRate]

    def title(self, locale: str) -> str:
        """The survey's title in `locale`."""
        return self.title_da if locale == "da" else self.title_en


@dataclass(frozen=True)
class Quote:
    """A free-text answer whose author agreed to be quoted without their name."""

    survey_key: str
    question_da: str
    question_en: str
    role: str
    text: str

    def question(self, locale: str) -> str:
        """The question answered, in `locale`."""
        return self.question_da if locale == "da" else self.question_en


@dataclass
class Evaluation:
    """A round against the city's success criteria, with its participation and its quotes."""

    cohort: Cohort
    rows: list[Row]
    #: Accepted participants per role (mentor, mentee).
    participants: dict[str, int]
    sends: list[SendRates] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    #: Whether more quotes were given than the report shows.
    more_quotes: bool = False

    def count(self, verdict: Verdict) -> int:
        """How many rows have this verdict."""
        return sum(1 for row in self.rows if row.verdict == verdict)

    def as_data(self) -> dict:
        """The evaluation as plain data (the API's answer, the same figures as the page)."""
        return {
            "cohort": {"id": self.cohort.id, "name": self.cohort.name, "status": self.cohort.status.value},
            "participants": dict(self.participants),
            "criteria": [row.as_data() for row in self.rows],
            "surveys": [send_data(send) for send in self.sends],
        }


def send_data(send: SendRates) -> dict:
    """A send with its response rates, as plain data."""
    return {
        "survey_key": send.survey_key, "version": send.version, "moment": send.moment.value,
        "title_da": send.title_da, "title_en": send.title_en, "sent_on": send.sent_on, "closes_on": send.closes_on,
        "rates": [{"role": rate.role, "asked": rate.asked, "answered": rate.answered, "rate": rate.rate,
                   "target": rate.target} for rate in send.rates],
    }


# --- gathering ---------------------------------------------------------------------------------------------------

@dataclass
class _Facts:
    """What the grouped queries found for a set of rounds."""

    sends: dict[int, list[SendRates]]
    #: (cohort, measuring point, role) -> (asked, respondents), people counted once.
    people: dict[tuple[int, str, str], tuple[int, int]]
    #: (cohort, measuring point, role, key) -> (answered, yes per criterion in the criteria's order).
    answers: dict[tuple[int, str, str, str], tuple[int, tuple[int, ...]]]
    #: (cohort, role) -> accepted participants.
    participants: dict[tuple[int, str], int]
    #: (send, role) -> (asked, answered), for the quotes' threshold.
    per_send: dict[tuple[int, str], tuple[int, int]]


def _point():
    """A survey's moment as the measuring point it serves ('' for the others)."""
    return case(
        (Survey.moment == Moment.CLOSING, MeasuringPoint.CLOSING.value),
        (Survey.moment.in_(MOMENTS[MeasuringPoint.FOLLOW_UP]), MeasuringPoint.FOLLOW_UP.value),
        else_="",
    )


def _person():
    """Who a response is from: the application (mentor, mentee) or the company contact."""
    return func.coalesce(Response.application_id, Response.contact_id)


def _sends(session: Session, cohort_ids: list[int]) -> tuple[dict[int, list[SendRates]], dict]:
    """The rounds' sends with their response rates per role: two queries."""
    sends: dict[int, list] = defaultdict(list)
    found = session.execute(
        select(SurveySend.id, SurveySend.cohort_id, SurveySend.survey_key, SurveySend.sent_on, SurveySend.closes_on,
               Survey.version, Survey.moment, Survey.title_da, Survey.title_en)
        .join(Survey, Survey.id == SurveySend.survey_id)
        .where(SurveySend.cohort_id.in_(cohort_ids))
        .order_by(SurveySend.sent_on, SurveySend.id)).all()
    per_send = _per_send(session, [row.id for row in found])
    for row in found:
        rates = [sending.RoleRate(role, *per_send[(row.id, role)], sending.TARGETS[role])
                 for role in ("mentee", "mentor", "company") if (row.id, role) in per_send]
        sends[row.cohort_id].append(SendRates(row.id, row.survey_key, row.version, row.moment, row.title_da,
                                              row.title_en, row.sent_on, row.closes_on, rates))
    return dict(sends), per_send


def round_sends(session: Session, cohort: Cohort) -> list[SendRates]:
    """The surveys sent to a round, oldest first, with their response rates per role."""
    return _sends(session, [cohort.id])[0].get(cohort.id, [])


def _gather(session: Session, cohort_ids: list[int], criteria: list[SuccessCriterion]) -> _Facts:
    """Five grouped queries for any number of rounds and answers."""
    sends, per_send = _sends(session, cohort_ids)
    point, person = _point(), _person()
    measured = Survey.moment.in_([moment for moments in MOMENTS.values() for moment in moments])
    people = {
        (cohort_id, where, role): (int(asked), int(answered or 0))
        for cohort_id, where, role, asked, answered in session.execute(
            select(SurveySend.cohort_id, point, Response.role, func.count(distinct(person)),
                   func.count(distinct(case((Response.submitted_at.is_not(None), person)))))
            .join(SurveySend, SurveySend.id == Response.send_id)
            .join(Survey, Survey.id == SurveySend.survey_id)
            .where(SurveySend.cohort_id.in_(cohort_ids), measured)
            .group_by(SurveySend.cohort_id, point, Response.role))
    }
    answers = {}
    keys = sorted({criterion.question_key for criterion in criteria if criterion.question_key})
    if keys:
        # One column per criterion: the people whose answer to its question is one of its yes answers. A multiple
        # choice gives a row per choice, so people, not rows, are counted.
        yes_columns = [func.count(distinct(case((and_(Answer.key == criterion.question_key,
                                                      Answer.value.in_(list(criterion.yes_values) or [""])), person))))
                       for criterion in criteria]
        for cohort_id, where, role, key, answered, *yes in session.execute(
                select(SurveySend.cohort_id, point, Response.role, Answer.key, func.count(distinct(person)),
                       *yes_columns)
                .join(Response, Response.id == Answer.response_id)
                .join(SurveySend, SurveySend.id == Response.send_id)
                .join(Survey, Survey.id == SurveySend.survey_id)
                .where(SurveySend.cohort_id.in_(cohort_ids), Response.submitted_at.is_not(None), measured,
                       Answer.key.in_(keys))
                .group_by(SurveySend.cohort_id, point, Response.role, Answer.key)):
            answers[(cohort_id, where, role, key)] = (int(answered), tuple(int(value or 0) for value in yes))
    participants = {
        (cohort_id, role.value if hasattr(role, "value") else role): int(number)
        for cohort_id, role, number in session.execute(
            select(Application.cohort_id, Application.role, func.count(Application.id))
            .where(Application.cohort_id.in_(cohort_ids), Application.status == ACCEPTED)
            .group_by(Application.cohort_id, Application.role))
    }
    return _Facts(sends, people, answers, participants, per_send)


def _per_send(session: Session, send_ids: list[int]) -> dict[tuple[int, str], tuple[int, int]]:
    """(send, role) -> (asked, answered): sending.counts, run even for no sends so the count of queries is fixed."""
    return sending.counts(session, send_ids) if send_ids else {}


def _rows(criteria: list[SuccessCriterion], cohort_id: int, facts: _Facts) -> list[Row]:
    rows = []
    for index, criterion in enumerate(criteria):
        point = criterion.measured_at.value
        for role in ROLES[criterion.role]:
            asked, respondents = facts.people.get((cohort_id, point, role), (0, 0))
            answered, yes = facts.answers.get((cohort_id, point, role, criterion.question_key), (0, ()))
            yes_count = yes[index] if yes else 0
            if criterion.of_everyone:
                took_part = asked if role == "company" else facts.participants.get((cohort_id, role), 0)
                # Someone asked who has since left the round still answered: never a share above 100%.
                eligible = max(took_part, answered)
            else:
                eligible = asked
            result = evaluate(float(criterion.threshold), yes_count, answered, eligible,
                              of_everyone=criterion.of_everyone)
            rows.append(Row(criterion, role, result, asked, respondents))
    return rows


def _participants(cohort_id: int, facts: _Facts) -> dict[str, int]:
    return {role: facts.participants.get((cohort_id, role), 0) for role in ("mentor", "mentee")}


# --- a round -----------------------------------------------------------------------------------------------------

def evaluate_round(session: Session, cohort: Cohort, *, quotes: bool = True) -> Evaluation:
    """The round against every success criterion of the city, its participation and (with `quotes`) its quotes."""
    criteria = programme.criteria(session)
    facts = _gather(session, [cohort.id], criteria)
    evaluation = Evaluation(cohort, _rows(criteria, cohort.id, facts), _participants(cohort.id, facts),
                            facts.sends.get(cohort.id, []))
    if quotes:
        evaluation.quotes, evaluation.more_quotes = _quotes(session, cohort, facts)
    return evaluation


def _quotes(session: Session, cohort: Cohort, facts: _Facts) -> tuple[list[Quote], bool]:
    """Free-text answers of submitted responses whose author said yes to being quoted, never with a name.

    Only from a survey and role that at least MINIMUM people answered: among fewer, a quote points at its author
    (the one company, the two mentors who answered).
    """
    crowds = [(send_id, role) for (send_id, role), (_asked, answered) in facts.per_send.items()
              if answered >= MINIMUM and send_id in {send.send_id for send in facts.sends.get(cohort.id, [])}]
    allowed = or_(*[and_(Response.send_id == send_id, Response.role == role) for send_id, role in crowds]) \
        if crowds else false()
    consented = select(Answer.response_id).where(Answer.key == QUOTE_CONSENT, Answer.value == "yes")
    found = session.execute(
        select(SurveySend.survey_key, Question.text_da, Question.text_en, Response.role, Answer.text)
        .join(Response, Response.id == Answer.response_id)
        .join(SurveySend, SurveySend.id == Response.send_id)
        .join(Question, Question.id == Answer.question_id)
        .where(SurveySend.cohort_id == cohort.id, Response.submitted_at.is_not(None),
               Question.kind == QuestionKind.TEXT, Answer.text != "", Answer.response_id.in_(consented), allowed)
        .order_by(SurveySend.sent_on, SurveySend.id, Question.position, Answer.id)
        .limit(MAX_QUOTES + 1)).all()
    quotes = [Quote(key, question_da, question_en, role, text) for key, question_da, question_en, role, text in found]
    return quotes[:MAX_QUOTES], len(quotes) > MAX_QUOTES


# --- rounds over time --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    """One criterion for one role across the compared rounds (a cell per round, oldest first)."""

    criterion: SuccessCriterion
    role: str
    cells: list[Row]
    #: The rounds of the cells, in the same order.
    cohorts: list[Cohort]

    @property
    def role_label(self) -> str:
        """The role as a heading says it."""
        return Respondents(self.role).label

    @property
    def judged(self) -> list[Row]:
        """The rounds with a verdict (enough answers)."""
        return [cell for cell in self.cells if cell.verdict != Verdict.NOT_ENOUGH_DATA]

    @property
    def judged_rounds(self) -> list[tuple[Cohort, Row]]:
        """(round, cell) of the rounds with a verdict, oldest first."""
        return [(cohort, cell) for cohort, cell in zip(self.cohorts, self.cells, strict=True)
                if cell.verdict != Verdict.NOT_ENOUGH_DATA]

    @property
    def met(self) -> int:
        """In how many rounds the criterion was met."""
        return sum(1 for cell in self.cells if cell.verdict == Verdict.MET)

    @property
    def change(self) -> float | None:
        """The share's change from the round before the latest judged round to that round."""
        judged = self.judged
        if len(judged) < 2:
            return None
        return judged[-1].result.share - judged[-2].result.share


@dataclass
class Comparison:
    """The city's rounds side by side: each criterion's share, n and verdict per round, and its trend."""

    cohorts: list[Cohort]
    series: list[Series]
    #: Whether older rounds were left out (more than MAX_ROUNDS).
    more: bool = False


def rounds_to_compare(session: Session) -> tuple[list[Cohort], bool]:
    """The rounds that are under way or done, or that surveys went out to; the newest MAX_ROUNDS, oldest first."""
    found = list(session.execute(
        select(Cohort).where(or_(Cohort.status.in_(UNDER_WAY), Cohort.id.in_(select(SurveySend.cohort_id))))
        .order_by(Cohort.starts_on.desc(), Cohort.id.desc()).limit(MAX_ROUNDS + 1)).scalars())
    return list(reversed(found[:MAX_ROUNDS])), len(found) > MAX_ROUNDS


def compare(session: Session) -> Comparison:
    """Every compared round against every criterion: the same few queries for 2 rounds or 40."""
    cohorts, more = rounds_to_compare(session)
    criteria = programme.criteria(session)
    facts = _gather(session, [cohort.id for cohort in cohorts], criteria)
    by_round = [_rows(criteria, cohort.id, facts) for cohort in cohorts]
    series = []
    for index, (criterion, role) in enumerate((c, r) for c in criteria for r in ROLES[c.role]):
        series.append(Series(criterion, role, [rows[index] for rows in by_round], cohorts))
    return Comparison(cohorts, series, more)
