"""The geometry of the evaluation's charts, drawn as SVG by templates/evaluation/_charts.html.

Pure: shares in, coordinates out (in the SVG's viewBox units). A bar shows a share with its 95% interval as a
whisker and the threshold as a marker; a trend is a line through a criterion's shares across rounds. No JavaScript:
the charts print, survive htmx swaps, and each carries a text alternative (its title and description, and the table
beside it).
"""

from dataclasses import dataclass

#: The viewBox of a bar: wide enough for a phone's width at a readable size, and for a column of the PDF.
BAR_WIDTH, BAR_HEIGHT = 320, 44
#: Room on the left and right of the scale, so that the labels at 0% and 100% are not cut.
BAR_MARGIN = 14
TREND_WIDTH, TREND_HEIGHT = 320, 96
TREND_MARGIN_X, TREND_MARGIN_Y = 14, 12


@dataclass(frozen=True)
class Bar:
    """A share on a 0-100% scale, with its interval and the threshold."""

    #: Where the scale starts and how long it is.
    x0: float
    length: float
    #: The bar's end (None: not enough data to draw one).
    end: float | None
    low: float | None
    high: float | None
    threshold: float
    #: (x, share) of the ticks at 0, 50 and 100%.
    ticks: tuple[tuple[float, float], ...]


def _x(share: float, x0: float, length: float) -> float:
    return round(x0 + max(0.0, min(1.0, share)) * length, 1)


def bar(share: float | None, interval: tuple[float, float] | None, threshold: float) -> Bar:
    """The bar of one criterion's share (None when there is no share to show)."""
    x0, length = BAR_MARGIN, BAR_WIDTH - 2 * BAR_MARGIN
    low, high = interval if interval else (None, None)
    return Bar(
        x0=x0, length=length,
        end=_x(share, x0, length) if share is not None else None,
        low=_x(low, x0, length) if low is not None else None,
        high=_x(high, x0, length) if high is not None else None,
        threshold=_x(threshold, x0, length),
        ticks=tuple((_x(value, x0, length), value) for value in (0.0, 0.5, 1.0)),
    )


@dataclass(frozen=True)
class Point:
    """A round's share on a trend line."""

    x: float
    y: float
    met: bool


@dataclass(frozen=True)
class Trend:
    """A criterion's shares across rounds, left (oldest) to right."""

    points: tuple[Point, ...]
    #: The SVG path through the points with a share (consecutive or not: a gap is bridged).
    path: str
    threshold_y: float
    #: (y, share) of the 0% and 100% lines.
    grid: tuple[tuple[float, float], ...]


def trend(shares: list[float | None], verdicts_met: list[bool], threshold: float) -> Trend:
    """The trend of one criterion: `shares` per round (None where there were too few answers)."""
    top, bottom = TREND_MARGIN_Y, TREND_HEIGHT - TREND_MARGIN_Y
    left, right = TREND_MARGIN_X + 20, TREND_WIDTH - TREND_MARGIN_X
    count = len(shares)
    step = (right - left) / (count - 1) if count > 1 else 0

    def y(share: float) -> float:
        return round(bottom - max(0.0, min(1.0, share)) * (bottom - top), 1)

    points = tuple(Point(round(left + index * step if count > 1 else (left + right) / 2, 1), y(share), met)
                   for index, (share, met) in enumerate(zip(shares, verdicts_met, strict=True)) if share is not None)
    path = " ".join(f"{'M' if index == 0 else 'L'}{point.x},{point.y}" for index, point in enumerate(points))
    return Trend(points, path, y(threshold), ((y(1.0), 1.0), (y(0.0), 0.0)))
