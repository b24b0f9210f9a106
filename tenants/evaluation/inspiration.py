"""Inspiration material: a city's programme model explained to another city, with its aggregated results.

Everything here is about the model and about counts of people, never about a person: a count under MINIMUM is
shown as "<5", no name and no free text leaves this module. Run in the city's scope (the public page's city).
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from mentorby.tenants.cohorts.models import CLOSED, FOLLOWED_UP
from mentorby.tenants.evaluation import figures
from mentorby.tenants.programme import services as programme
from mentorby.tenants.programme.models import ProgrammeEvent, SuccessCriterion
from mentorby.tenants.surveys import builder
from mentorby.tenants.surveys.statistics import MINIMUM

#: What a coordinator does in each phase of a round, in the round's weeks (week 0: the first joint event).
PHASES = (
    ("planning", -16, -9, _l("Planning"), (
        _l("Set the dates of the joint events and book the rooms."),
        _l("Agree with the partner companies, the university and the language school how many mentors they lend."),
        _l("Check the surveys and the success criteria for the round."),
    )),
    ("recruiting", -8, -4, _l("Recruiting"), (
        _l("Hold information meetings and advertise the round through the partners and the international networks."),
        _l("Open the applications for mentors and mentees and answer questions."),
    )),
    ("selecting", -3, -1, _l("Selecting and matching"), (
        _l("Choose the mentors and mentees, and tell those not chosen this time."),
        _l("Match mentors and mentees (pairs or small groups), approve the matches and invite everyone."),
    )),
    ("running", 0, None, _l("Running the round"), (
        _l("Hold the joint events below, and send the midway survey."),
        _l("Between the events: follow the 1:1 sessions the pairs log, and help the pairs that have not met."),
    )),
    ("closing", None, None, _l("Closing"), (
        _l("Hold the closing meeting, send the closing surveys to mentors, mentees and companies."),
        _l("Read the evaluation against the success criteria and share it with the partners."),
    )),
    ("follow_up", 26, 26, _l("Follow-up"), (
        _l("Six months after the round: send the follow-up survey on employment."),
    )),
)


@dataclass(frozen=True)
class Phase:
    """A phase of a round: its weeks, what the coordinator does, the joint events in it."""

    code: str
    first_week: int
    last_week: int
    label: str
    tasks: tuple[str, ...]
    events: tuple[ProgrammeEvent, ...] = ()


@dataclass(frozen=True)
class SurveyItem:
    """A survey of the set: its title and how many questions it asks."""

    key: str
    title_da: str
    title_en: str
    questions: int

    def title(self, locale: str) -> str:
        """The title in `locale`."""
        return self.title_da if locale == "da" else self.title_en


@dataclass(frozen=True)
class Pooled:
    """A criterion for one role across the closed rounds: counts shown as "<5" when under 5."""

    criterion: SuccessCriterion
    role: str
    yes: int
    answered: int
    rounds_met: int
    rounds_judged: int

    @property
    def share(self) -> float | None:
        """The pooled share, only when at least MINIMUM people answered."""
        return self.yes / self.answered if self.answered >= MINIMUM else None

    @property
    def answered_shown(self) -> str:
        """How many answered, or "<5"."""
        return shown(self.answered)


@dataclass(frozen=True)
class Model:
    """A city's programme model as inspiration material."""

    phases: list[Phase]
    events: list[ProgrammeEvent]
    surveys: list[SurveyItem]
    criteria: list[SuccessCriterion]
    closed_rounds: int
    results: list[Pooled]


def shown(count: int) -> str:
    """A count of people as the public may read it: "<5" for 1-4."""
    return "<5" if 0 < count < MINIMUM else str(count)


def phases(events: list[ProgrammeEvent]) -> list[Phase]:
    """The phases with their weeks, derived from the joint events' week offsets."""
    last = max((event.week_offset for event in events), default=16)
    found = []
    for code, first, end, label, tasks in PHASES:
        if code == "running":
            first, end = 0, max(0, last - 1)
            inside = tuple(event for event in events if event.week_offset < last or last == 0)
        elif code == "closing":
            first = end = last
            inside = tuple(event for event in events if event.week_offset == last and last > 0)
        else:
            inside = ()
        if code == "follow_up":
            first = end = last + 26
        found.append(Phase(code, first, end, str(label), tuple(str(task) for task in tasks), inside))
    return found


def _pooled(session) -> tuple[int, list[Pooled]]:
    comparison = figures.compare(session)
    closed = [index for index, cohort in enumerate(comparison.cohorts) if cohort.status in (CLOSED, FOLLOWED_UP)]
    results = []
    for series in comparison.series:
        cells = [series.cells[index] for index in closed]
        judged = [cell for cell in cells if cell.verdict != figures.Verdict.NOT_ENOUGH_DATA]
        results.append(Pooled(series.criterion, series.role, sum(cell.result.yes for cell in cells),
                              sum(cell.result.answered for cell in cells),
                              sum(1 for cell in judged if cell.verdict == figures.Verdict.MET), len(judged)))
    return len(closed), results


def model(session) -> Model:
    """The city's model: events, phases, surveys (titles and question counts), criteria, pooled results."""
    events = programme.events(session)
    surveys = [SurveyItem(survey.key, survey.title_da, survey.title_en, len(survey.questions))
               for survey in builder.current_surveys(session)]
    closed, results = _pooled(session)
    return Model(phases(events), events, surveys, programme.criteria(session), closed, results)


def to_pdf(html: str) -> bytes:
    """The material as a PDF (WeasyPrint); the document holds everything it shows and fetches nothing."""
    from weasyprint import HTML  # a heavy import, only where a PDF is made

    return HTML(string=html, base_url=None, url_fetcher=_fetch_nothing).write_pdf()


def _fetch_nothing(url: str, *args, **kwargs):
    raise ValueError(f"the inspiration material fetches nothing ({url[:60]})")
