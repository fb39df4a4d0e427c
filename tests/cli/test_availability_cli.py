import json

import pytest
from contract import assert_bad_input


def test_seed_example_as_json(hacalc):
    # Seed handbook: MTTF 50 000 h, MTTR 15 min -> 99.9995 %
    result = hacalc("availability", "--mttf", "50000h", "--mttr", "15m", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["availability"] == pytest.approx(0.999995000025, rel=1e-12)
    assert data["unavailability"] == pytest.approx(4.99998e-6, rel=1e-6)
    assert data["nines"] == pytest.approx(5.30103, abs=1e-5)
    assert set(data["downtime_seconds"]) == {"day", "week", "month", "quarter", "year"}
    assert data["downtime_seconds"]["year"] == pytest.approx(157.679, abs=0.01)
    assert data["failures_per_year"] == pytest.approx(8760 / 50000.25)
    assert data["conventions"]["year_days"] == 365
    assert data["inputs"]["method"] == "mttf-mttr"


def test_observed_downtime_reverse(hacalc):
    # Seed handbook: one day of downtime in 365 days -> 99.73 %
    result = hacalc("availability", "--downtime", "1d", "--period", "365d")
    assert result.exit_code == 0
    assert "99.726%" in result.stdout


def test_mtbf_definition_is_stated_and_selectable(hacalc):
    # reliability-math.md T2
    cycle = json.loads(hacalc("availability", "--mtbf", "1000", "--mttr", "10", "--mtbf-means", "cycle", "-f", "json").stdout)
    operating = json.loads(hacalc("availability", "--mtbf", "1000h", "--mttr", "10h", "-f", "json").stdout)
    assert cycle["availability"] == pytest.approx(0.99)
    assert operating["availability"] == pytest.approx(0.990099010)
    assert operating["inputs"]["mtbf_means"] == "operating"


def test_rates_and_year_convention(hacalc):
    data = json.loads(hacalc("availability", "--failure-rate", "1e-3/h", "--repair-rate", "0.1/h", "--year-days", "365.25", "-f", "json").stdout)
    assert data["availability"] == pytest.approx(0.9900990099)
    assert data["conventions"]["year_seconds"] == 31_557_600


def test_csv_has_a_header_and_one_row(hacalc):
    lines = hacalc("availability", "--mttf", "1000h", "--mttr", "10h", "-f", "csv").stdout.splitlines()
    assert lines[0].startswith("availability,unavailability,nines,")
    assert len(lines) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mttf", "5h"], "cannot compute availability from --mttf"),
        (["--mttf", "-5h", "--mttr", "1h"], "negative duration '-5h', --mttf"),
        (["--mttf", "0", "--mttr", "1h"], "is zero, --mttf"),
        (["--mttf", "nan", "--mttr", "1h"], "--mttf"),
        (["--mttf", "5 parsecs", "--mttr", "1h"], "unknown unit 'parsecs', --mttf"),
        (["--mttf", "1000h", "--mttr", "1M"], "ambiguous unit 'M', --mttr"),
        (["--downtime", "2d", "--period", "1d"], "longer than the period"),
        (["--mttf", "1h", "--mttr", "1h", "--year-days", "360"], "--year-days"),
        (["--mttf", "1h", "--mttr", "1h", "--format", "xml"], "unknown format"),
    ],
)
def test_bad_input_exits_2_with_one_line(hacalc, args, message):
    result = hacalc("availability", *args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("hacalc: error: ")
    assert message in result.stderr
    assert result.stderr.count("\n") == 1


def test_astronomical_mttf_is_refused_not_a_traceback(hacalc):
    result = hacalc("availability", "--mttf", "1e400h", "--mttr", "1h")
    assert result.exit_code == 2
    assert "too large, --mttf" in result.stderr
    assert hacalc("availability", "--mttf", "1e300h", "--mttr", "1h", "-f", "json").exit_code == 0


def test_batch_input_refuses_single_unit_flags(hacalc):
    result = hacalc("availability", "--input", "-", "--mttf", "5h", input="mttf,mttr\n1000,10\n")
    assert result.exit_code == 2 and result.stdout == ""
    assert "--mttf cannot be combined with --input" in result.stderr


@pytest.mark.parametrize("output", ["table", "json", "csv"])
def test_extreme_rates_are_refused_or_shown_in_every_format(hacalc, output):
    # issue 8 §1.9: 1e308/ms with 1e-308/y overflowed in the table only; rates within 1e±300 per second show
    # everywhere (per hour 3.6e303 still fits a float), and beyond that the parser refuses them
    refused = hacalc("availability", "--failure-rate", "1e308/ms", "--repair-rate", "1e-308/y", "--format", output)
    assert "is out of range, --failure-rate" in assert_bad_input(refused)
    shown = hacalc("availability", "--failure-rate", "1e300/s", "--repair-rate", "1e-300/s", "--format", output)
    assert shown.exit_code == 0, shown.stderr
    # failures per year = 1 y / (1/λ + 1/μ) = 31,536,000 s / 1e300 s
    assert ("failure rate per hour 3.6e+303" if output == "table" else "3.1536e-293") in shown.stdout
