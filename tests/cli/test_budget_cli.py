import json

import pytest


def test_budget_json_keys_and_workbook_alerts(hacalc):
    result = hacalc("budget", "99.9", "--window", "30d", "--spent", "10m", "--alerts", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["allowed_seconds"] == 2592
    assert data["spent_seconds"] == 600
    assert data["remaining_seconds"] == 1992
    assert data["consumed"] == pytest.approx(600 / 2592)
    # SRE Workbook Table 5-8
    assert [(a["long_window"], a["short_window"], a["burn_rate"], a["budget_consumed"]) for a in data["alerts"]] == [
        (3600, 300, 14.4, 0.02),
        (21600, 1800, 6, 0.05),
        (259200, 21600, 1, 0.1),
    ]


def test_check_gate_exits_1_only_when_exhausted(hacalc):
    assert hacalc("budget", "99.9", "--spent", "40m", "--check").exit_code == 0
    failed = hacalc("budget", "99.9", "--spent", "50m", "--check")
    assert failed.exit_code == 1
    assert "exhausted" in failed.stderr
    assert "over budget" in failed.stdout  # the result is still shown


def test_user_tiers_replace_the_defaults(hacalc):
    data = json.loads(hacalc("budget", "99.9", "--window", "7d", "--alert", "10%:1h:5m:page", "-f", "json").stdout)
    assert [a["burn_rate"] for a in data["alerts"]] == [pytest.approx(16.8)]  # bitdrift 7-day page tier


def test_csv_is_stable_with_and_without_alerts(hacalc):
    plain = hacalc("budget", "99.9", "-f", "csv").stdout.splitlines()
    alerts = hacalc("budget", "99.9", "--alerts", "-f", "csv").stdout.splitlines()
    assert plain[0] == alerts[0]
    assert len(plain) == 2 and len(alerts) == 4


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["100"], "no error budget"),
        (["99.9", "--window", "0d"], "--window"),
        (["99.9", "--alert", "2:1h"], "--alert"),
        (["99.9", "--elapsed", "40d"], "--elapsed"),
    ],
)
def test_bad_budget_input(hacalc, args, message):
    result = hacalc("budget", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr
