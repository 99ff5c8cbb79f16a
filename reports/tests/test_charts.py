from dataclasses import replace
from datetime import UTC, datetime, timedelta

import plotly.graph_objects as go
import pytest

from readings.figures import summarize
from reports import charts

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def figures_of(values, kinds, *, step_min=5, days=1, contexts=None):
    """readings.figures over ``values`` repeated every ``step_min`` for ``days`` from T0's day."""
    start = datetime(2026, 1, 5, tzinfo=UTC)
    n = days * 1440 // step_min
    epochs = [int((start + timedelta(minutes=step_min * i)).timestamp()) for i in range(n)]
    vals = [values[i % len(values)] for i in range(n)]
    return summarize(
        epochs, vals, [kinds] * n, [step_min] * n, ["api"] * n,
        contexts or ["unspecified"] * n, tz="UTC", start=start,
        end=start + timedelta(days=days), compare_previous=False,
    )  # fmt: skip


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


def test_agp_figure_has_the_percentile_bands_and_gaps_as_null():
    f = figures_of([100, 120, 140, 160, 180, 200], "cgm", days=7)
    curve = f.agp
    # No data in the first hour of every day: 12 five-minute slots become gaps.
    masked = {p: (None,) * 12 + q[12:] for p, q in curve.quantiles.items()}
    figure = charts.agp_figure(replace(curve, quantiles=masked), unit="mg/dL")

    assert_valid_plotly(figure)
    legend = [trace["name"] for trace in figure["data"] if trace["showlegend"]]
    assert legend == ["5–95 %", "25–75 %", "Median"]
    median = figure["data"][-1]
    assert len(median["x"]) == 96 and median["x"][0] == 0.125  # 15-minute display points
    assert median["y"][:4] == [None] * 4 and median["connectgaps"] is False
    assert all(y is not None for y in median["y"][4:])
    assert figure["layout"]["yaxis"]["range"] == [0, 350]


def test_agp_figure_without_a_curve_says_why():
    figure = charts.agp_figure(None, unit="mg/dL", reason="Insufficient CGM data.")
    assert_valid_plotly(figure)
    assert figure["data"] == []
    assert figure["layout"]["annotations"][0]["text"] == "Insufficient CGM data."


def test_time_in_ranges_figure_stacks_the_five_ranges_in_cgm_time():
    f = figures_of([50, 65, 100, 120, 200, 300], "cgm", days=2)
    figure = charts.time_in_ranges_figure(f.cgm)

    assert_valid_plotly(figure)
    assert [trace["y"][0] for trace in figure["data"]] == [16.67, 16.67, 33.33, 16.67, 16.66]
    assert figure["layout"]["barmode"] == "stack"
    assert figure["layout"]["yaxis"]["title"]["text"] == "% of CGM time"


def test_meter_figure_draws_each_reading_and_hourly_medians():
    f = figures_of([80, 100, 120, 140, 160], "fingerstick", step_min=12, days=1)
    hours = [i * 12 / 60 for i in range(120)]
    values = [[80, 100, 120, 140, 160][i % 5] for i in range(120)]
    figure = charts.meter_hourly_figure(
        f.meter, unit="mg/dL", local_hours=hours, values_mgdl=values
    )

    assert_valid_plotly(figure)
    dots, medians = figure["data"]
    assert len(dots["x"]) == 120
    assert medians["x"][0] == 0.5 and medians["y"][0] == 120  # 5 readings an hour
    assert medians["error_y"]["array"][0] == 20 and medians["error_y"]["arrayminus"][0] == 20


def test_meter_figure_without_meter_readings_says_so():
    f = figures_of([120], "cgm")
    assert charts.meter_hourly_figure(f.meter, unit="mg/dL")["data"] == []


@pytest.mark.parametrize(
    ("value", "text"), [(12.25, "12.3 %"), (12.24, "12.2 %"), (0.0, "0.0 %"), (None, "–")]
)
def test_percentages_are_formatted_one_way_everywhere(value, text):
    assert charts.format_percent(value) == text


def test_overlay_draws_each_day_by_time_of_day_the_newest_darkest():
    values = [100, 150, 200, 250, 60]
    daily = figures_of(values, "cgm", days=9).daily
    assert len(daily) == 9

    figure = charts.overlay_figure(daily, unit="mmol/L", days=7)

    assert_valid_plotly(figure)
    traces = figure["data"]
    assert [t["name"] for t in traces] == [p.day.strftime("%a %-d %b") for p in daily[-7:]]
    first = traces[0]
    assert first["x"][:3] == [0.0, 0.083, 0.167] and max(first["x"]) < 24
    start = 2 * 288  # the third day's first reading: the cycle of values goes on over days
    mmol = {100: 5.6, 150: 8.3, 200: 11.1, 250: 13.9, 60: 3.3}
    assert first["y"][:3] == [mmol[values[(start + i) % 5]] for i in range(3)]
    newest, oldest = traces[-1]["line"], traces[0]["line"]
    assert newest["width"] > oldest["width"]
    assert newest["color"] == "hsl(218, 75%, 25%)" and oldest["color"] == "hsl(218, 75%, 78%)"
    assert figure["layout"]["xaxis"]["range"] == [0, 24]
    assert len(charts.overlay_figure(daily, unit="mg/dL", days=14)["data"]) == 9


def test_overlay_keeps_the_gaps_of_a_day_and_says_so_without_cgm():
    daily = figures_of([120], "cgm", days=2).daily
    gap = replace(daily[-1], times=(*daily[-1].times[:3], None, *daily[-1].times[3:]),
                  values=(*daily[-1].values[:3], None, *daily[-1].values[3:]))  # fmt: skip
    figure = charts.overlay_figure([*daily[:-1], gap], unit="mg/dL")
    assert figure["data"][-1]["x"][3] is None and figure["data"][-1]["connectgaps"] is False

    empty = charts.overlay_figure(figures_of([120], "fingerstick", days=2).daily, unit="mg/dL")
    assert empty["data"] == []
    assert "No CGM readings" in empty["layout"]["annotations"][0]["text"]
