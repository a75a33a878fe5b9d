"""Geometry for the small charts drawn as SVG by the templates.

The charts render without JavaScript and without any outside library; every chart is
paired with a table in the template, so the numbers are never only in a picture.
"""

from dataclasses import dataclass

WIDTH = 600
HEIGHT = 220
LEFT = 44  # room for the y-axis labels
BOTTOM = 36  # room for the date labels
RIGHT = 32  # room for the last date label to end past its bar
TOP = 14


@dataclass(frozen=True)
class Bar:
    day: object
    x: float
    width: float
    expected_y: float
    expected_height: float
    done_y: float
    done_height: float
    done: int
    expected: int


@dataclass(frozen=True)
class Tick:
    position: float
    label: str


def _plot_height():
    return HEIGHT - TOP - BOTTOM


def _frame(days, slot):
    """What both charts draw alike: the box, the baseline, and the days along it."""
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "baseline": HEIGHT - BOTTOM,
        "x_ticks": _date_ticks(days, slot),
        "label_y": HEIGHT - 8,
    }


def _date_ticks(days, slot):
    """A label every seventh day, counted back from the last, so today is always named."""
    last = len(days) - 1
    return [
        Tick(LEFT + slot * (index + 0.5), f"{day:%b} {day.day}")
        for index, day in enumerate(days)
        if (last - index) % 7 == 0
    ]


def holds_chart(daily):
    """Bars of done holds over the expected outline, one per day.

    ``daily`` maps each day, in order, to an Adherence.
    """
    days = list(daily)
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    top_value = max([adherence.expected for adherence in daily.values()] + [1])
    scale = _plot_height() / top_value
    bars = []
    for index, day in enumerate(days):
        adherence = daily[day]
        expected_height = adherence.expected * scale
        done_height = adherence.done * scale
        bars.append(
            Bar(
                day=day,
                x=LEFT + slot * index + slot * 0.15,
                width=slot * 0.7,
                expected_y=HEIGHT - BOTTOM - expected_height,
                expected_height=expected_height,
                done_y=HEIGHT - BOTTOM - done_height,
                done_height=done_height,
                done=adherence.done,
                expected=adherence.expected,
            )
        )
    y_ticks = [
        Tick(HEIGHT - BOTTOM - value * scale, str(value)) for value in sorted({0, top_value})
    ]
    return {**_frame(days, slot), "bars": bars, "y_ticks": y_ticks}


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    score: int
    day: object


def pain_chart(days, scores):
    """Pain scores (0-10) as points on the days they were recorded, joined by a line.

    ``days`` is the list of days shown; ``scores`` is a list of (day, score) pairs.
    """
    slot = (WIDTH - LEFT - RIGHT) / max(len(days), 1)
    index_of = {day: index for index, day in enumerate(days)}
    scale = _plot_height() / 10
    points = [
        Point(
            x=LEFT + slot * (index_of[day] + 0.5),
            y=HEIGHT - BOTTOM - score * scale,
            score=score,
            day=day,
        )
        for day, score in sorted(scores, key=lambda pair: pair[0])
        if day in index_of
    ]
    return {
        **_frame(days, slot),
        "points": points,
        "line": " ".join(f"{point.x:.1f},{point.y:.1f}" for point in points),
        "y_ticks": [Tick(HEIGHT - BOTTOM - value * scale, str(value)) for value in (0, 5, 10)],
    }


SPARK_WIDTH = 80
SPARK_HEIGHT = 20


def sparkline(trend, start, days):
    """A tiny pain line: ``trend`` is [(day, mean score)], over ``days`` days from ``start``."""
    step = SPARK_WIDTH / max(days - 1, 1)
    points = [
        ((day - start).days * step, SPARK_HEIGHT - 2 - score * (SPARK_HEIGHT - 4) / 10)
        for day, score in trend
        if 0 <= (day - start).days < days
    ]
    return {
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "line": " ".join(f"{x:.1f},{y:.1f}" for x, y in points),
        "last": points[-1] if points else None,
    }
