import json

import pytest


def test_default_table_lists_one_to_six_nines(hacalc):
    result = hacalc("nines")
    assert result.exit_code == 0
    assert "3d 15h 36m 0s" in result.stdout  # 99 % of a 365-day year
    assert "7h 18m 0s" in result.stdout  # 99 % of a year/12 month, exact (reference T13)
    assert "year = 365 d (8760 h)" in result.stdout


def test_json_rows_follow_targets_in_order(hacalc):
    result = hacalc("nines", "99.95", "4.5 nines", "99.9%", "--format", "json")
    data = json.loads(result.stdout)
    assert [row["target"] for row in data["rows"]] == ["99.95", "4.5 nines", "99.9%"]
    assert data["rows"][2]["downtime_seconds"]["year"] == pytest.approx(31536)  # reference T9
    assert data["rows"][1]["nines"] == pytest.approx(4.5)
    assert data["conventions"]["year_days"] == 365


def test_bad_target_is_one_line_on_stderr_and_exit_2(hacalc):
    result = hacalc("nines", "101")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("hacalc: error: ")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("args", [(), ("cluster",)])
def test_a_bare_group_is_a_usage_error_with_its_help_on_stderr(hacalc, args):
    result = hacalc(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "hacalc: error" not in result.stderr
    assert "Usage: hacalc" in result.stderr and ("check" if args else "nines") in result.stderr
