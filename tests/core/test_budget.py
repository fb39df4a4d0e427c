"""Error budgets and burn rates. Expected values: Google SRE Workbook ch. 5 Table 5-8 and sre-cli.md §1.2."""

from fractions import Fraction

import pytest

from hacalc.core.budget import AlertTier, alert_table, error_budget, parse_alert_tier
from hacalc.core.errors import InputError

DAY = 86400


def test_three_nines_over_30_days_allows_43m12s():
    # SRE Workbook: 99.9 % over 30 d -> 0.1 % = 43.2 min
    assert error_budget(Fraction(999, 1000), Fraction(30 * DAY)).allowed == 2592


def test_workbook_table_5_8_for_a_30_day_window():
    rows = alert_table(error_budget(Fraction(999, 1000), Fraction(30 * DAY)))
    assert [row.burn_rate for row in rows] == [Fraction("14.4"), 6, 1]
    assert [row.tier.budget_fraction for row in rows] == [Fraction(2, 100), Fraction(5, 100), Fraction(10, 100)]
    # time to exhaustion = window / burn rate (Datadog docs): 50 h, 5 d, 30 d
    assert [row.time_to_exhaustion for row in rows] == [50 * 3600, 5 * DAY, 30 * DAY]


def test_the_same_tiers_on_a_28_day_window():
    # sre-cli.md §1.2 "Workbook (derived)": 28 d -> 13.44, 5.6, 0.933
    rows = alert_table(error_budget(Fraction(999, 1000), Fraction(28 * DAY)))
    assert [float(row.burn_rate) for row in rows] == pytest.approx([13.44, 5.6, 0.9333333])


def test_bitdrift_seven_day_defaults():
    # sre-cli.md §1.2: bitdrift 7 d: 10 % in 1 h -> 16.8, 20 % in 6 h -> 5.6, 40 % in 1 d -> 2.8
    tiers = (
        AlertTier(Fraction(10, 100), Fraction(3600), Fraction(300), "page"),
        AlertTier(Fraction(20, 100), Fraction(6 * 3600), Fraction(1800), "page"),
        AlertTier(Fraction(40, 100), Fraction(DAY), Fraction(7200), "ticket"),
    )
    rows = alert_table(error_budget(Fraction(999, 1000), Fraction(7 * DAY)), tiers)
    assert [row.burn_rate for row in rows] == [Fraction("16.8"), Fraction("5.6"), Fraction("2.8")]


def test_spent_remaining_burn_and_exhaustion():
    budget = error_budget(Fraction(999, 1000), Fraction(30 * DAY), spent=Fraction(25 * 60), elapsed=Fraction(10 * DAY))
    assert budget.remaining == 2592 - 1500
    assert budget.consumed == Fraction(1500, 2592)
    # burn rate = consumed × window / elapsed
    assert budget.burn_rate == Fraction(1500, 2592) * 3
    # at 1500 s per 10 d, the remaining 1092 s last 1092/1500 × 10 d
    assert budget.time_to_exhaustion == Fraction(1092, 1500) * 10 * DAY
    assert not budget.exhausted


def test_an_overspent_budget_is_exhausted_now():
    budget = error_budget(Fraction(999, 1000), Fraction(30 * DAY), spent=Fraction(3000))
    assert budget.exhausted and budget.time_to_exhaustion == 0


def test_nothing_spent_never_exhausts():
    assert error_budget(Fraction(999, 1000), Fraction(30 * DAY)).time_to_exhaustion is None


def test_user_tiers_default_the_short_window_to_a_twelfth():
    tier = parse_alert_tier("2%:1h")
    assert (tier.budget_fraction, tier.long_window, tier.short_window) == (Fraction(2, 100), 3600, 300)
    assert parse_alert_tier("5%:6h:30m:page").severity == "page"


@pytest.mark.parametrize("text", ["2:1h:5m", "2%", "2%:1h:2h", "0%:1h", "2%:abc"])
def test_bad_tiers_are_refused(text):
    with pytest.raises(InputError):
        parse_alert_tier(text)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"target": Fraction(1)}, "no error budget"),
        ({"elapsed": Fraction(31 * DAY)}, "within the window"),
        ({"spent": Fraction(2 * DAY), "elapsed": Fraction(DAY)}, "more downtime spent"),
    ],
)
def test_impossible_budgets_are_refused(kwargs, message):
    arguments = {"target": Fraction(999, 1000), "window": Fraction(30 * DAY), **kwargs}
    with pytest.raises(InputError, match=message):
        error_budget(**arguments)


def test_alert_window_longer_than_the_slo_window_is_refused():
    with pytest.raises(InputError, match="longer than the SLO window"):
        alert_table(error_budget(Fraction(999, 1000), Fraction(DAY)))
