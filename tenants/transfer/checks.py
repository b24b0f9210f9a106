"""What a check of an imported file found: problems (of the file, of a cell), the report, and its stored summary.

Pure: no session, no request. A problem names a row and a column as the spreadsheet shows them (row None for the
file as a whole, column None for the whole row or file) and a message code with its parameters; the pages turn
the code into a sentence in the reader's language.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field

#: How many cell problems a stored summary keeps (it counts them all).
KEPT_PROBLEMS = 1000


@dataclass(frozen=True)
class Problem:
    """One thing wrong: a row and column (None for the file as a whole), a message code, its parameters."""

    row: int | None
    column: str | None
    code: str
    params: dict = field(default_factory=dict)
    #: The cell as the file has it (shortened), so the coordinator finds it.
    value: str = ""

    @property
    def in_cell(self) -> bool:
        """Whether the problem is in one cell (rather than the file, a whole row, or the form around it)."""
        return self.row is not None and self.column is not None


class FileProblem(Exception):
    """The file cannot be read as a table at all (type, size, encoding, header)."""

    def __init__(self, *problems: Problem):
        super().__init__(", ".join(problem.code for problem in problems))
        self.problems = list(problems)


class LimitExceeded(FileProblem):
    """The file holds more than a limit allows (rows, columns, cells, strings, characters); reading stopped there."""


@dataclass
class Report:
    """What a check found: rows read, valid rows (ready to import), and every problem."""

    total: int = 0
    rows: list = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: Tallies of the valid rows for the page (per role, say), kept by the checks of the file's kind.
    counts: Counter = field(default_factory=Counter)
    #: The text encoding a CSV file was read in (None for a workbook).
    encoding: str | None = None
    #: A cell with letters beyond ASCII, so the reader can see that they came through as written.
    sample: str = ""
    #: Rows written (0 for a check).
    imported: int = 0

    @property
    def valid(self) -> int:
        """How many rows have no problem."""
        return len(self.rows)

    @property
    def ok(self) -> bool:
        """Whether the file can be imported as it is."""
        return not self.problems and bool(self.rows)

    @property
    def bad_rows(self) -> int:
        """How many rows have at least one problem."""
        return len({problem.row for problem in self.problems if problem.in_cell})

    def summary(self, kept: int = KEPT_PROBLEMS) -> Summary:
        """The report without its rows: what a page shows and a job keeps."""
        cells = [problem for problem in self.problems if problem.in_cell]
        others = [problem for problem in self.problems if not problem.in_cell]
        return Summary(total=self.total, valid=self.valid, bad_rows=self.bad_rows, imported=self.imported,
                       problems=tuple(others + cells[:kept]), cell_problems=len(cells), counts=dict(self.counts),
                       encoding=self.encoding, sample=self.sample)


@dataclass(frozen=True)
class Summary:
    """A report as pages show it and jobs keep it: its figures, the file's problems and the first cell problems."""

    total: int = 0
    valid: int = 0
    bad_rows: int = 0
    imported: int = 0
    problems: tuple[Problem, ...] = ()
    #: How many cell problems there are in all (`problems` keeps the first ones).
    cell_problems: int = 0
    counts: dict = field(default_factory=dict)
    encoding: str | None = None
    sample: str = ""

    @property
    def ok(self) -> bool:
        """Whether the file can be imported as it is."""
        return not self.problems and self.valid > 0

    @property
    def file_problems(self) -> list[Problem]:
        """The problems that are not in one cell: the file's, a whole row's, the form's."""
        return [problem for problem in self.problems if not problem.in_cell]

    @property
    def cells(self) -> list[Problem]:
        """The cell problems kept."""
        return [problem for problem in self.problems if problem.in_cell]

    def to_json(self) -> dict:
        """The summary as plain JSON values."""
        return asdict(self) | {"problems": [asdict(problem) for problem in self.problems]}

    @classmethod
    def from_json(cls, data: Mapping) -> Summary:
        """A summary from to_json's values."""
        return cls(**{**data, "problems": tuple(Problem(**problem) for problem in data.get("problems", ()))})


class ImportRejected(Exception):
    """Nothing was imported; the report says why."""

    def __init__(self, report: Report):
        super().__init__(", ".join(sorted({problem.code for problem in report.problems})))
        self.report = report


def in_column_order(problems: Iterable[Problem], columns: Iterable[str]) -> list[Problem]:
    """A row's problems in the order of the file's columns, so a report reads like the spreadsheet."""
    order = {column: index for index, column in enumerate(columns)}
    return sorted(problems, key=lambda problem: order.get(problem.column, -1))
