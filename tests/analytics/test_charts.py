"""The SVG bar chart's geometry (pure Python) and its rendering."""

from __future__ import annotations

from django.template.loader import render_to_string

from secportal.analytics.charts import HEIGHT, bar_chart


def test_bars_scale_to_the_largest_value_and_negatives_go_below_zero():
    chart = bar_chart(
        "Revenue", [("Jan", "J", "", 20000), ("Feb", "F", "", -5000), ("Mar", "M", "", 0)], "GBP"
    )
    jan, feb, mar = chart.bars
    assert jan.y < chart.zero_y and round(jan.y + jan.height, 1) == chart.zero_y
    assert feb.y == chart.zero_y and feb.height > 0 and feb.negative
    assert mar.height == 0
    assert jan.height == 4 * feb.height  # same scale either side of zero
    assert [t.text for t in chart.ticks] == ["£200.00", "£0.00", "-£50.00"]
    assert all(0 <= b.y <= HEIGHT for b in chart.bars)
    assert "Jan: £200.00; Feb: -£50.00; Mar: £0.00" in chart.description


def test_all_zero_chart_draws_flat_bars():
    chart = bar_chart("Empty", [("A", "A", "", 0), ("B", "B", "", 0)], "EUR")
    assert [b.height for b in chart.bars] == [0, 0]
    assert [t.text for t in chart.ticks] == [chart.bars[0].text]


def test_svg_is_scalable_and_labelled():
    chart = bar_chart("Ageing in USD", [("Current", "Current", "", 3000)], "USD")
    svg = render_to_string("analytics/_bar_chart.html", {"chart": chart})
    assert 'viewBox="0 0 640 260"' in svg and 'width="100%"' in svg
    assert 'role="img"' in svg and 'aria-label="Ageing in USD. Current: $30.00."' in svg
    assert "<title>Current: $30.00</title>" in svg
