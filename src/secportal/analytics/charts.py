"""Bar charts drawn on the server: the geometry here, the SVG in ``analytics/_bar_chart.html``.

Pure Python, no JavaScript and no external files: a chart is a viewBox of fixed size that the
browser scales to the width of its box (``width="100%"``), so it fits a phone. Negative values
(a month with more refunds than payments) go below the zero line.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from secportal.core.money import format_money

WIDTH = 640
HEIGHT = 260
LEFT = 120  # room for the axis's money labels
RIGHT = 8
TOP = 14
BOTTOM = 44  # room for the category labels


@dataclass(frozen=True)
class Bar:
    label: str  # the category in full ("April 2026", "1-30 days past due")
    short: str  # what fits under the bar ("Apr", "1-30")
    sub: str  # a second line under it ("2026"), or ""
    value: int
    text: str  # the value, formatted
    x: float
    y: float
    width: float
    height: float

    @property
    def center(self) -> float:
        return round(self.x + self.width / 2, 1)

    @property
    def negative(self) -> bool:
        return self.value < 0


@dataclass(frozen=True)
class Tick:
    y: float
    text: str


@dataclass
class BarChart:
    title: str
    description: str  # the SVG's aria-label
    bars: list[Bar] = field(default_factory=list)
    ticks: list[Tick] = field(default_factory=list)
    zero_y: float = 0.0
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    label_y: int = HEIGHT - BOTTOM + 18
    sub_y: int = HEIGHT - BOTTOM + 36


def bar_chart(
    title: str,
    items: list[tuple[str, str, str, int]],
    currency: str,
    summary: str = "",
) -> BarChart:
    """``items``: (label, short label, second line, value in minor units), in display order."""
    values = [value for *_, value in items]
    high = max([0, *values])
    low = min([0, *values])
    span = (high - low) or 1
    plot_height = HEIGHT - TOP - BOTTOM
    plot_width = WIDTH - LEFT - RIGHT

    def y_of(value: int) -> float:
        return round(TOP + (high - value) / span * plot_height, 1)

    slot = plot_width / max(len(items), 1)
    bar_width = round(slot * 0.62, 1)
    bars = []
    for i, (label, short, sub, value) in enumerate(items):
        top, bottom = y_of(max(value, 0)), y_of(min(value, 0))
        bars.append(
            Bar(
                label=label,
                short=short,
                sub=sub,
                value=value,
                text=format_money(value, currency),
                x=round(LEFT + i * slot + (slot - bar_width) / 2, 1),
                y=top,
                width=bar_width,
                # a zero stays visible as a hairline on the axis
                height=max(round(bottom - top, 1), 0.0),
            )
        )
    ticks = [Tick(y_of(0), format_money(0, currency))]
    if high > 0:
        ticks.insert(0, Tick(y_of(high), format_money(high, currency)))
    if low < 0:
        ticks.append(Tick(y_of(low), format_money(low, currency)))
    listed = "; ".join(f"{bar.label}: {bar.text}" for bar in bars)
    description = f"{title}. {summary + ' ' if summary else ''}{listed}."
    return BarChart(title, description, bars, ticks, y_of(0))
