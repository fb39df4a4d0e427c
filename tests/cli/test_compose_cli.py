import json

import pytest


def test_compose_json_names_the_weakest_part(hacalc):
    result = hacalc("compose", "series(lb=99.99%, db=parallel(99.9%, 99.9%))", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["availability"] == pytest.approx(0.9999 * 0.999999)
    assert data["weakest"] == "lb"
    assert "lb" in data["single_points_of_failure"]
    assert data["parts"][0]["share"] > 0.99
    assert data["downtime_seconds"]["year"] == pytest.approx(data["unavailability"] * 31_536_000)


def test_compose_table_shows_the_verdict(hacalc):
    result = hacalc("compose", "series(0.9999, 0.999, 0.999)")
    assert "99.79" in result.stdout  # T17
    assert "Weakest link" in result.stdout


def test_malformed_expression_has_a_caret(hacalc):
    result = hacalc("compose", "series(99.9%, parallel(99.9, 99.9)")
    assert result.exit_code == 2
    assert result.stdout == ""
    first, expression, caret = result.stderr.splitlines()
    assert first.startswith("hacalc: error: expected ')' at column 35")
    assert caret.index("^") == len(expression)
