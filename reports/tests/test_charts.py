from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import plotly.graph_objects as go
import pytest

from readings import stats
from reports import charts

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


@pytest.fixture
def summary():
    values = [50, 65, 100, 120, 200, 300]
    times = [T0 + timedelta(hours=i) for i in range(len(values))]
    return stats.summarize(
        values,
        times,
        tz=ZoneInfo("UTC"),
        kinds=["fingerstick"] * 6,
        contexts=["fasting", "before_meal", "after_meal", "after_meal", "bedtime", "unspecified"],
    )


def assert_valid_plotly(figure):
    go.Figure(figure)  # raises ValueError on any property plotly.js would not understand


def test_readings_figure_has_one_labelled_trace_per_band_and_the_target_band():
    local_ms = [1_700_000_000_000 + i * 300_000 for i in range(5)]

    figure = charts.readings_figure(
        local_ms, [50, 60, 100, 200, 300], unit="mmol/L", target_low=70, target_high=180
    )

    assert_valid_plotly(figure)
    by_name = {trace["name"]: trace for trace in figure["data"]}
    assert list(by_name) == ["All readings", "Very low", "Low", "In range", "High", "Very high"]
    assert by_name["All readings"]["showlegend"] is False
    assert by_name["Very low"]["y"] == [2.8]
    assert by_name["Very high"]["marker"]["symbol"] != by_name["Very low"]["marker"]["symbol"]
    shape = figure["layout"]["shapes"][0]
    assert (shape["y0"], shape["y1"]) == (3.9, 10.0)
    assert figure["layout"]["yaxis"]["title"]["text"] == "Glucose (mmol/L)"


def test_many_points_draw_in_range_readings_as_the_line_only_and_never_need_webgl():
    local_ms = list(range(0, 3000 * 300_000, 300_000))
    values = [120] * 2990 + [50] * 10

    figure = charts.readings_figure(local_ms, values, unit="mg/dL", target_low=70, target_high=180)

    assert {trace["type"] for trace in figure["data"]} == {"scatter"}
    assert [(t["name"], len(t["x"])) for t in figure["data"]] == [
        ("All readings", 3000),
        ("Very low", 10),
    ]
    assert figure["data"][0]["showlegend"] is True


def test_agp_figure_has_the_percentile_bands(summary):
    figure = charts.agp_figure(summary, unit="mg/dL")

    assert_valid_plotly(figure)
    legend = [trace["name"] for trace in figure["data"] if trace["showlegend"]]
    assert legend == ["5–95 %", "25–75 %", "Median"]
    median = figure["data"][-1]
    # Hourly bins for fingersticks, at the middle of each local hour; empty hours left out.
    assert median["x"] == [12.5, 13.5, 14.5, 15.5, 16.5, 17.5]
    assert median["y"] == [50, 65, 100, 120, 200, 300]
    assert median["customdata"][0] == "12:00"


def test_time_in_ranges_figure_stacks_the_five_ranges(summary):
    figure = charts.time_in_ranges_figure(summary)

    assert_valid_plotly(figure)
    assert [trace["y"][0] for trace in figure["data"]] == [16.67, 16.67, 33.33, 16.67, 16.66]
    assert figure["layout"]["barmode"] == "stack"


def test_context_means_figure(summary):
    figure = charts.context_means_figure(summary, unit="mg/dL")

    assert_valid_plotly(figure)
    bars = figure["data"][0]
    assert bars["x"] == ["After a meal", "Bedtime", "Before a meal", "Fasting", "Unspecified"]
    assert bars["y"] == [110, 200, 65, 50, 300]
    assert bars["text"][0] == "n=2"
    # Tilted category labels are given room, not clipped.
    assert figure["layout"]["xaxis"]["automargin"] is True


@pytest.mark.parametrize(
    ("value", "text"), [(12.25, "12.3 %"), (12.24, "12.2 %"), (0.0, "0.0 %"), (None, "–")]
)
def test_percentages_are_formatted_one_way_everywhere(value, text):
    assert charts.format_percent(value) == text
