"""evaluate_budgets: each scope, each period, each level, skips with reasons, unrealised savings."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from costopt.audit_extras import Extras, HistorySection
from costopt.audit_io import audit_from_dict, audit_to_dict
from costopt.config import ConfigSource
from costopt.errors import ConfigError
from costopt.gate import Budget, BudgetSet, SavingsBudget, evaluate_budgets, exit_code, to_dict
from costopt.gate.checks import spend_days
from costopt.model import Recommendation, Window
from tests.gate.spend import day_range, make_audit, rows_for

START, END = date(2026, 10, 19), date(2026, 11, 23)  # 5 weeks; as_of = Nov 23 (Monday)


def flat_audit(per_day: float = 100.0, **kw):
    return make_audit(START, END, lambda d: per_day, **kw)


def one(audit, budget, **kw):
    [result] = evaluate_budgets(audit, [budget], **kw)
    return result


# Scope shares of the day's 100.0: total 100, AWS 70, account 123456789012 70, SageMaker 50,
# AI and Machine Learning 70 (SageMaker + Vertex AI), team vision 50.
SCOPES = [
    ("total", None, 100.0),
    ("provider", "AWS", 70.0),
    ("provider", "aws", 70.0),  # case does not matter
    ("provider", "Amazon Web Services", 70.0),
    ("account", "ml-prod-7", 20.0),
    ("service", "Amazon SageMaker", 50.0),
    ("category", "AI and Machine Learning", 70.0),
    ("tag", "vision", 50.0),
]


@pytest.mark.parametrize("kind, value, per_day", SCOPES)
@pytest.mark.parametrize("period, days", [("week", 7), ("window", 35)])
def test_each_scope_sums_its_rows(kind, value, per_day, period, days):
    result = one(flat_audit(), Budget(kind, value, period, fail=1e9))
    assert result.actual == pytest.approx(per_day * days)
    assert result.status == "pass"


@pytest.mark.parametrize("kind, value, per_day", SCOPES)
def test_each_scope_month_to_date_and_forecast(kind, value, per_day):
    result = one(flat_audit(), Budget(kind, value, "month", fail=1e9))
    assert result.actual == pytest.approx(per_day * 22)  # Nov 1..22
    assert result.forecast == pytest.approx(per_day * 30)
    assert result.details["from"] == "2026-11-01" and result.details["to"] == "2026-11-30"


@pytest.mark.parametrize("warn, fail, status", [
    (None, 800.0, "pass"), (700.0, None, "pass"), (700.0, 800.0, "pass"),  # week = 700 (equal is within)
    (600.0, None, "warn"), (600.0, 800.0, "warn"), (None, 650.0, "fail"), (500.0, 650.0, "fail"),
])
def test_levels(warn, fail, status):
    result = one(flat_audit(), Budget("total", None, "week", warn=warn, fail=fail))
    assert result.actual == pytest.approx(700.0)
    assert result.status == status
    if status != "pass":
        assert f"exceeds the {status} level" in result.message and "$700.00" in result.message


@pytest.mark.parametrize("kind, value, scope_per_day", SCOPES)
@pytest.mark.parametrize("level, status", [({"warn": 2500}, "warn"), ({"fail": 2500}, "fail"),
                                           ({"warn": 2500, "fail": 2600}, "fail"), ({"fail": 3000}, "pass")])
def test_each_scope_each_level_on_the_forecast(kind, value, scope_per_day, level, status):
    # The scope spends 100 a day: month to date 2,200 is within, the forecast 3,000 decides.
    result = one(flat_audit(100.0 * 100.0 / scope_per_day), Budget(kind, value, "month", **level))
    assert result.actual == pytest.approx(2200.0) and result.forecast == pytest.approx(3000.0)
    assert result.status == status
    if status != "pass":
        assert f"forecast to month end $3,000.00 exceeds the {status} level" in result.message


def test_month_basis_actual_ignores_the_forecast():
    audit = flat_audit()
    forecast_based = one(audit, Budget("total", None, "month", fail=2500))
    actual_based = one(audit, Budget("total", None, "month", fail=2500, basis="actual"))
    assert forecast_based.status == "fail" and "forecast to month end $3,000.00" in forecast_based.message
    assert actual_based.status == "pass"
    assert one(audit, Budget("total", None, "month", fail=2100, basis="actual")).status == "fail"


def test_billed_cost_column():
    result = one(flat_audit(), Budget("total", None, "week", fail=1e9, cost="billed"))
    assert result.actual == pytest.approx(770.0)


def test_growth_week_over_week():
    audit = make_audit(START, END, lambda d: 120.0 if d >= date(2026, 11, 16) else 100.0)
    result = one(audit, Budget("total", None, "growth", warn=10, fail=25))
    assert result.actual == pytest.approx(20.0) and result.unit == "%"
    assert result.status == "warn"
    assert result.details["previous_week"] == pytest.approx(700.0)
    assert result.details["current_week"] == pytest.approx(840.0)
    assert "+20.0%" in result.message and "$700.00 -> $840.00" in result.message
    assert one(audit, Budget("total", None, "growth", fail=15)).status == "fail"
    shrinking = make_audit(START, END, lambda d: 80.0 if d >= date(2026, 11, 16) else 100.0)
    # A negative level asks for shrinking: -20% passes "fail above -10%", fails "fail above -25%".
    assert one(shrinking, Budget("total", None, "growth", fail=-10)).status == "pass"
    assert one(shrinking, Budget("total", None, "growth", fail=-25)).status == "fail"


def test_growth_per_scope_only_sees_its_rows():
    rows = rows_for(day_range(START, date(2026, 11, 16)), lambda d: 100.0)
    rows += [dict(r, cost=r["cost"] * (3.0 if r["provider"] == "GCP" else 1.0))
             for r in rows_for(day_range(date(2026, 11, 16), END), lambda d: 100.0)]
    audit = make_audit(START, END, rows=rows)
    assert one(audit, Budget("provider", "GCP", "growth", fail=100)).actual == pytest.approx(200.0)
    assert one(audit, Budget("provider", "AWS", "growth", fail=100)).actual == pytest.approx(0.0)


def test_skips_say_why():
    short = make_audit(date(2026, 11, 12), END)
    week = one(short, Budget("total", None, "week", fail=1))
    growth = one(short, Budget("total", None, "growth", fail=1))
    assert week.status == "fail"  # 11 days of data: a week is there
    assert growth.status == "skipped" and "needs the 14 complete days 2026-11-09 to 2026-11-22" in growth.message
    tiny = make_audit(date(2026, 11, 20), END)
    assert one(tiny, Budget("total", None, "week", fail=1)).status == "skipped"
    unknown = one(flat_audit(), Budget("service", "Amazon Bedrock", "week", fail=1))
    assert unknown.status == "skipped" and "no spend rows match service=Amazon Bedrock" in unknown.message
    assert "Amazon SageMaker" in unknown.message  # lists what the data has
    empty = make_audit(START, END, rows=[])
    assert one(empty, Budget("total", None, "month", fail=1)).status == "skipped"
    zero_before = make_audit(START, END, lambda d: 0.0 if d < date(2026, 11, 16) else 5.0)
    g = one(zero_before, Budget("total", None, "growth", fail=1))
    assert g.status == "skipped" and "growth is undefined" in g.message


def test_as_of_defaults_and_override():
    audit = flat_audit()
    assert spend_days(audit).as_of == END
    lagging = make_audit(START, END, rows=rows_for(day_range(START, date(2026, 11, 21)), lambda d: 100.0))
    assert spend_days(lagging).as_of == date(2026, 11, 21)  # export lags two days
    midday = replace(audit, window=Window(datetime(2026, 10, 19, 13, tzinfo=UTC),
                                          datetime(2026, 11, 22, 13, tzinfo=UTC)))
    days = spend_days(midday)
    assert days.as_of == date(2026, 11, 22) and days.data_start == date(2026, 10, 20)  # partial days left out
    earlier = one(audit, Budget("total", None, "week", fail=1e9), today=date(2026, 11, 9))
    assert earlier.details["from"] == "2026-11-02" and earlier.actual == pytest.approx(700.0)


def test_currency_mismatch_is_an_input_error(tmp_path):
    source = ConfigSource(path="b.toml", text='[budgets]\ncurrency = "EUR"\n')
    budgets = BudgetSet(budgets=(Budget("total", None, "week", fail=1),), currency="EUR", source=source)
    with pytest.raises(ConfigError) as info:
        evaluate_budgets(flat_audit(), budgets)
    assert info.value.line == 2 and info.value.key == "budgets.currency" and "EUR" in str(info.value)


def test_duplicate_checks_get_distinct_ids():
    results = evaluate_budgets(flat_audit(), [Budget("total", None, "week", fail=1), Budget("total", None, "week", fail=2e3)])
    assert [r.id for r in results] == ["total:week", "total:week#2"]
    assert exit_code(results) == 1 and exit_code(results, warn_only=True) == 0


def test_round_trip_dict():
    result = one(flat_audit(), Budget("tag", "vision", "month", warn=1, fail=2, name="vision"))
    data = to_dict(result)
    assert data["scope"] == "team=vision" and data["status"] == "fail" and data["name"] == "vision"


# --- unrealised savings --------------------------------------------------------------------

def recs():
    return tuple(Recommendation(id=f"rec-{i}", rule_id="idle.unattached_volume", resource_id=f"vol-{i}",
                                action="delete", monthly_savings=s, resource_name=f"vol-{i}")
                 for i, s in enumerate([1200.0, 300.0, 50.0]))


SAVINGS = SavingsBudget(warn=400.0, fail=1000.0, weeks=4)


def test_unrealised_savings_from_open_since():
    history = HistorySection(open_since={"rec-0": "2026-10-01T06:00:00+00:00", "rec-1": "2026-10-12T06:00:00+00:00",
                                         "rec-2": "2026-11-23T06:00:00+00:00"})
    audit = flat_audit(recommendations=recs(), extras=Extras(history=history))
    [result] = evaluate_budgets(audit, BudgetSet(savings=SAVINGS))
    assert result.actual == pytest.approx(1500.0)  # rec-2 is too young
    assert result.status == "fail" and result.details["ids"] == ["rec-0", "rec-1"]
    assert "2 recommendation(s)" in result.message and "$1,500.00/month" in result.message


def saved_1_3(audit, **sections):
    """``audit`` written as a schema-1.3 document with free-form ``sections``, and read back."""
    data = {**audit_to_dict(audit), **sections, "schema_version": "1.3"}
    return audit_from_dict(data)


@pytest.mark.parametrize("history", [
    {"first_seen": {"rec-0": "2026-10-01", "rec-1": "2026-10-01"}},
    {"open": [{"id": "rec-0", "first_seen": "2026-10-01"}, {"id": "rec-1", "weeks_open": 6}]},
    {"persisting": {"rec-0": {"open_days": 40}, "rec-1": {"first_seen_at": "2026-10-01T10:00:00+00:00"}}},
    {"weeks": 3},
])
def test_unrealised_savings_read_one_spelling(history):
    """costopt.history writes ``open_since`` only; other spellings in an older audit are not guessed at."""
    audit = saved_1_3(flat_audit(recommendations=recs()), extras={"history": history})
    [result] = evaluate_budgets(audit, BudgetSet(savings=SAVINGS))
    assert result.status == "skipped" and "open_since" in result.message


def test_unrealised_savings_never_add_another_currency():
    history = HistorySection(open_since={"rec-0": "2026-10-01", "rec-1": "2026-10-01", "rec-2": "2026-10-01"})
    priced_in_eur = tuple(replace(r, currency="EUR") if r.id == "rec-0" else r for r in recs())
    [result] = evaluate_budgets(flat_audit(recommendations=priced_in_eur, extras=Extras(history=history)),
                                BudgetSet(savings=SAVINGS))
    assert result.actual == pytest.approx(350.0)  # the 1,200 EUR finding is not added to USD
    assert result.details["ids"] == ["rec-1", "rec-2"] and "1 priced in another currency not counted" in result.message


def test_unrealised_savings_levels_and_skips():
    history = HistorySection(open_since={"rec-1": "2026-10-01", "rec-2": "2026-10-01"})
    audit = flat_audit(recommendations=recs(), extras=Extras(history=history))
    [warn] = evaluate_budgets(audit, BudgetSet(savings=SAVINGS))
    assert warn.actual == pytest.approx(350.0)  # rec-1 + rec-2; rec-0 has no history
    assert warn.status == "pass"  # 350 <= warn 400
    [w] = evaluate_budgets(audit, BudgetSet(savings=replace(SAVINGS, warn=300.0)))
    assert w.status == "warn"
    [none] = evaluate_budgets(flat_audit(recommendations=recs()), BudgetSet(savings=SAVINGS))
    assert none.status == "skipped" and "no history" in none.message


def test_verdicts_stored_in_the_audit_survive_json(tmp_path):
    from costopt.audit_io import audit_to_json, load_audit

    audit = flat_audit()
    results = evaluate_budgets(audit, [Budget("total", None, "month", warn=1, fail=2), Budget("tag", "vision", "growth", fail=5)])
    stored = replace(audit, budgets=tuple(results))
    path = tmp_path / "audit.json"
    path.write_text(audit_to_json(stored))
    loaded = load_audit(path)
    assert list(loaded.budgets) == results


def test_attach_budgets_from_settings(tmp_path):
    from costopt.config import load_settings
    from costopt.gate import attach_budgets

    config = tmp_path / "costopt.toml"
    config.write_text('[budgets.total]\nweek = { warn = 600, fail = 800 }\n')
    attached = attach_budgets(flat_audit(), load_settings(config))
    assert [(b.scope, b.period, b.status) for b in attached.budgets] == [("total", "week", "warn")]
    assert attach_budgets(flat_audit(), load_settings(None, search_from=tmp_path / "nowhere")).budgets == ()


def test_unrealised_savings_through_the_real_history_module(tmp_path):
    """Four weekly audits recorded by costopt.history: the gate ages what stayed open."""
    from costopt import history

    directory = tmp_path / "history"
    audit = None
    for week in range(6):
        end = date(2026, 10, 19) + timedelta(days=7 * week)
        run_at = datetime(end.year, end.month, end.day, 6, tzinfo=UTC)
        open_recs = recs() if week < 3 else recs()[:1] + (  # rec-1, rec-2 resolved in week 3, rec-3 new
            Recommendation(id="rec-3", rule_id="idle.eip", resource_id="eip-1", action="release", monthly_savings=900.0),)
        audit = replace(make_audit(end - timedelta(days=35), end), run_at=run_at, recommendations=open_recs)
        audit = history.record(audit, directory)
    assert audit.extras.history is not None and audit.extras.history.open_since
    [result] = evaluate_budgets(audit, BudgetSet(savings=SavingsBudget(warn=500.0, fail=1000.0, weeks=4)))
    # as_of = Nov 23; rec-0 open since Oct 19 (35 days > 28): 1,200; rec-3 since Nov 9: too young.
    assert result.details["ids"] == ["rec-0"] and result.actual == pytest.approx(1200.0)
    assert result.status == "fail"


@pytest.mark.parametrize("name, expected", [
    ("GCP", 20.0), ("google", 20.0), ("Google Cloud", 20.0), ("Azure", 10.0), ("microsoft", 10.0), ("AWS", 70.0)])
def test_provider_aliases_match_focus_provider_names(name, expected):
    from tests.gate.spend import LINES

    focus_names = {"GCP": "Google Cloud", "Azure": "Microsoft"}
    lines = [(focus_names.get(p, p), *rest) for p, *rest in LINES]
    audit = make_audit(START, END, rows=rows_for(day_range(START, END), lambda d: 100.0, lines=lines))
    assert one(audit, Budget("provider", name, "week", fail=1e9)).actual == pytest.approx(expected * 7)
    assert one(audit, Budget("provider", "Oracle", "week", fail=1)).status == "skipped"
