from datetime import date

import pytest

from treatywatch.engine.clauses import Rule, UnknownRuleError, add_months
from treatywatch.engine.planner import (
    DenunciationNotAllowedError,
    in_force_date_for_deposit,
    latest_deposit_for_party_by,
    notice_effective_date,
)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        ("2000-09-22", 3, "2000-12-22"),
        ("2000-08-31", 3, "2000-11-30"),
        ("2024-01-31", 1, "2024-02-29"),
        ("2023-11-15", 2, "2024-01-15"),
    ],
)
def test_add_months_clamps_to_month_end(start, months, expected):
    assert add_months(date.fromisoformat(start), months) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        (Rule("days_after_deposit", days=90), "2014-09-25", "2014-12-24"),  # ATT 50th instrument
        (Rule("days_after_deposit", days=90), "1954-01-22", "1954-04-22"),  # Refugee Convention
        (Rule("months_after_deposit", months=3), "2000-09-22", "2000-12-22"),  # OP-CEDAW
        (Rule("first_day_of_month_after_day_n", days=60), "2002-04-11", "2002-07-01"),  # Rome Statute
        (
            Rule("first_day_of_nth_month_after_deposit_month", n=6),
            "2011-03-24",
            "2011-09-01",
        ),  # CCM Lithuania
        (Rule("first_day_of_month_following_period_months", months=3), "2014-04-22", "2014-08-01"),
        (Rule("years_after_deposit", years=2), "1973-12-13", "1975-12-13"),  # 1961 Convention
        (Rule("on_deposit"), "1968-01-01", "1968-01-01"),
        (Rule("first_day_of_month_following_period_after_receipt", months=3), "2021-03-20", "2021-07-01"),
    ],
)
def test_rule_kinds_match_worked_examples(rule, start, expected):
    assert rule.apply(date.fromisoformat(start)) == date.fromisoformat(expected)


def test_unknown_rule_kind_is_refused():
    with pytest.raises(UnknownRuleError):
        Rule("when_the_moon_is_full").apply(date(2000, 1, 1))


def test_instrument_before_general_entry_into_force_takes_effect_on_that_date(catalogue):
    rome = catalogue.get("rome-statute").clauses
    assert rome.in_force_date(date(1999, 2, 2)) == date(2002, 7, 1)
    assert rome.in_force_date(date(2002, 6, 10)) == date(2002, 9, 1)  # after threshold: own 60 days


def test_after_general_eif_treaties_use_the_general_date_up_to_it(catalogue):
    att = catalogue.get("att").clauses
    assert att.later_applies_to == "after_general_eif"
    assert att.in_force_date(date(2014, 12, 1)) == date(2014, 12, 24)
    assert att.in_force_date(date(2015, 1, 2)) == date(2015, 4, 2)


def test_what_if_answers(catalogue):
    refugee = catalogue.get("refugee-1951").clauses
    assert in_force_date_for_deposit(refugee, date(2026, 7, 28)) == date(2026, 10, 26)
    assert notice_effective_date(refugee, date(2026, 1, 10)) == date(2027, 1, 10)
    latest = latest_deposit_for_party_by(refugee, date(2026, 7, 28))  # the Convention's 75th anniversary
    assert latest == date(2026, 4, 29)
    assert refugee.in_force_date(latest) == date(2026, 7, 28)
    assert refugee.in_force_date(latest.replace(day=30)) > date(2026, 7, 28)


def test_what_if_notice_under_a_treaty_without_denunciation_clause(catalogue):
    with pytest.raises(DenunciationNotAllowedError, match="ICCPR|Civil and Political"):
        notice_effective_date(catalogue.get("iccpr").clauses, date(2026, 1, 1))


def test_treaty_not_in_force_gives_no_date(catalogue):
    ctbt = catalogue.get("ctbt").clauses
    assert in_force_date_for_deposit(ctbt, date(2026, 1, 1)) is None
    assert latest_deposit_for_party_by(ctbt, date(2030, 1, 1)) is None
