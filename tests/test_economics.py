"""Finance formulas, each computed by hand, in the style of test_compute.py.

Every expected value below is worked out in the comment beside it, so that dropping any term of a formula
(gross margin, churn, conversion, the currency rate) changes a number a test checks.
"""

from __future__ import annotations

import pytest

from assess.economics import (
    CASH_GENERATIVE,
    NO_NET_NEW_ARR,
    company_facts,
    demand_evidence,
    economic_facts,
    eval_evidence,
    risk_facts,
    unit_economics,
)
from assess.facts import Facts
from assess.fx import Rate, resolve_rate
from assess.project import Eval, Project

USD = Rate("USD", 1.0, None, "test")
CNY = Rate("CNY", 0.125, "2026-01-01", "test")  # 8 CNY to the dollar, a round number for hand arithmetic


def project(**sections) -> Project:
    return Project.model_validate({"name": "T", **sections})


def value(facts: Facts, name: str):
    return facts.get(name)


# --- per-customer unit economics --------------------------------------------------------------------------

def test_gross_margin_ltv_and_payback_by_hand():
    p = project(business={"price_per_customer_month": 1000, "other_cogs_per_customer_month": 100, "cac": 6000,
                          "monthly_churn": 0.02})
    f = unit_economics(p, 300.0, USD)  # 300 of inference per customer-month
    # COGS = 100 + 300 = 400; margin = (1000 − 400) / 1000 = 0.6
    assert value(f, "business.gross_margin") == pytest.approx(0.6)
    # LTV = price × margin ÷ churn = 1000 × 0.6 ÷ 0.02 = 30,000; LTV/CAC = 30,000 ÷ 6,000 = 5
    assert value(f, "business.ltv") == pytest.approx(30_000)
    assert value(f, "business.ltv_to_cac") == pytest.approx(5.0)
    # payback = CAC ÷ (price × margin) = 6000 ÷ 600 = 10 months
    assert value(f, "business.cac_payback_months") == pytest.approx(10.0)
    # inference share = 300 ÷ 1000; break-even price for 60 % margin = COGS ÷ 0.4 = 1000
    assert value(f, "business.inference_share_of_revenue") == pytest.approx(0.3)
    assert value(f, "business.breakeven_price_60") == pytest.approx(1000.0)


def test_unknown_costs_leave_margin_unknown():
    f = unit_economics(project(business={"price_per_customer_month": 1000}), None, USD)
    assert "business.gross_margin" not in f and "business.ltv" not in f


def test_breakeven_cost_per_request_converts_to_usd():
    p = project(currency="CNY", business={"price_per_customer_month": 8000, "other_cogs_per_customer_month": 800,
                                          "customers_now": 10},
                compute={"inference": {"requests_per_month": 10_000}})
    f = unit_economics(p, 0.0, CNY)
    # room = 0.4 × 8000 − 800 = 2400 CNY = 300 USD a customer-month; 1000 requests per customer → 0.30 USD each
    assert value(f, "compute.breakeven_cost_per_request_60") == pytest.approx(0.30)


def test_inference_cost_is_converted_once_into_the_project_currency():
    p = project(currency="CNY", business={"price_per_customer_month": 800, "customers_now": 10},
                compute={"inference": {"requests_per_month": 1000}})
    result = {"inference": {"cost_per_request_usd": 0.5}}  # 100 requests a customer → 50 USD → 400 CNY
    f = economic_facts(p, result, CNY)
    assert value(f, "compute.inference_cost_per_customer_month") == pytest.approx(400.0)
    assert value(f, "business.gross_margin") == pytest.approx(0.5)  # (800 − 400) ÷ 800


# --- company level -----------------------------------------------------------------------------------------

def test_growth_burn_multiple_runway_rule_of_40_by_hand():
    p = project(stage="series-b", business={"revenue_12m": 12e6, "revenue_prior_12m": 4e6, "cash": 30e6,
                                            "monthly_burn": 1e6, "raised_to_date": 36e6})
    f = company_facts(p, USD, Facts())
    assert value(f, "business.annual_revenue") == 12e6
    assert value(f, "business.revenue_growth") == pytest.approx(2.0)  # 12 ÷ 4 − 1
    assert value(f, "business.runway_months") == pytest.approx(30.0)  # 30M ÷ 1M
    assert value(f, "business.burn_multiple") == pytest.approx(1.5)  # 12 × 1M ÷ (12M − 4M)
    assert value(f, "business.rule_of_40") == pytest.approx(1.0)  # 200 % growth − 12 × 1M ÷ 12M
    assert value(f, "business.capital_efficiency") == pytest.approx(3.0)  # 36M ÷ 12M


def test_run_rate_wins_over_trailing_revenue_and_growth_from_net_new_arr():
    p = project(business={"arr_now": 10e6, "revenue_12m": 7e6, "net_new_arr_12m": 5e6, "monthly_burn": 500e3})
    f = company_facts(p, USD, Facts())
    assert value(f, "business.annual_revenue") == 10e6
    assert value(f, "business.revenue_growth") == pytest.approx(1.0)  # 10M ÷ (10M − 5M) − 1
    assert value(f, "business.burn_multiple") == pytest.approx(1.2)  # 6M ÷ 5M


def test_negative_burn_is_cash_generative():
    f = company_facts(project(business={"cash": 1e6, "monthly_burn": -2e5, "revenue_12m": 1e7}), USD, Facts())
    assert value(f, "business.runway_months") == CASH_GENERATIVE
    assert value(f, "business.burn_multiple") == 0.0


def test_burn_without_growth_is_worse_than_any_band():
    p = project(business={"revenue_12m": 5e6, "revenue_prior_12m": 6e6, "monthly_burn": 1e5, "cash": 1e7})
    f = company_facts(p, USD, Facts())
    assert value(f, "business.revenue_growth") == pytest.approx(-1 / 6)
    assert value(f, "business.burn_multiple") == NO_NET_NEW_ARR


def test_company_gross_margin_from_cogs_only_when_per_customer_is_absent():
    p = project(business={"revenue_12m": 10e6, "cogs_12m": 4e6, "inference_cogs_12m": 3e6})
    f = company_facts(p, USD, Facts())
    assert value(f, "business.gross_margin") == pytest.approx(0.6)  # (10 − 4) ÷ 10
    assert value(f, "business.inference_share_of_revenue") == pytest.approx(0.3)  # 3 ÷ 10
    per_customer = Facts()
    per_customer.add("business.gross_margin", 0.9)
    assert "business.gross_margin" not in company_facts(p, USD, per_customer)


def test_free_users_and_conversion_by_hand():
    p = project(users={"monthly_active": 1_000_000, "paid_conversion": 0.02, "free_user_cost_month": 0.05},
                business={"arr_now": 2.4e6})
    f = company_facts(p, USD, Facts())
    # free users 980,000 × 0.05 = 49,000 a month; revenue 2.4M ÷ 12 = 200,000 a month → 0.245
    assert value(f, "business.free_user_cost_share") == pytest.approx(0.245)
    assert value(f, "business.paid_conversion") == 0.02


def test_device_margin_and_sell_through_by_hand():
    p = project(hardware={"device_price": 200, "unit_cost": 150, "return_rate": 0.08, "units_sold_12m": 10_000,
                          "units_planned_12m": 100_000})
    f = company_facts(p, USD, Facts())
    assert value(f, "business.hardware_margin") == pytest.approx(0.25)
    assert value(f, "business.sell_through") == pytest.approx(0.1)


# --- demand and evaluations --------------------------------------------------------------------------------

@pytest.mark.parametrize("paying, points", [(1, 2.0), (10, 2.75), (100, 3.5), (1000, 4.25), (100_000, 5.0)])
def test_demand_is_a_log_scale_in_paying_customers(paying, points):
    p = project(market={"evidence": {"paying_users": paying}})
    assert demand_evidence(p, None)[0] == pytest.approx(points)


def test_demand_from_revenue_uses_usd():
    # 8M CNY at 0.125 = 1M USD → 2 + 0.75 × log10(100) = 3.5; the same 8M read as USD would give 4.18
    p = project(currency="CNY", business={"revenue_12m": 8e6})
    f = economic_facts(p, {}, CNY)
    assert value(f, "market.demand_evidence") == pytest.approx(3.5)


def test_paying_users_from_conversion():
    p = project(users={"monthly_active": 100_000, "paid_conversion": 0.01})
    points, why = demand_evidence(p, None)
    assert points == pytest.approx(2 + 0.75 * 3) and why == "1,000 paying customers"  # 100,000 × 1 %


def test_eval_evidence_by_standard_errors():
    # 0.68 vs 0.50 at n = 400: se = sqrt((0.68·0.32 + 0.5·0.5) / 400) = 0.0340; z = 5.3 → 5 points
    strong = eval_evidence([Eval(metric="win_rate", value=0.68, baseline_value=0.5, n=400)])
    assert strong[0] == 5.0 and "z=5.3" in strong[1]
    # 0.55 vs 0.50 at n = 400: z = 1.43 → ahead, not significant → 3 points
    assert eval_evidence([Eval(metric="win_rate", value=0.55, baseline_value=0.5, n=400)])[0] == 3.0
    # latency is lower-is-better: 900 ms against a 1200 ms baseline is ahead
    assert eval_evidence([Eval(metric="p95_latency_ms", value=900, baseline_value=1200)])[0] == 3.0
    assert eval_evidence([Eval(metric="exact_match", value=0.6, baseline_value=0.7, n=100)])[0] == 1.0


# --- risk ---------------------------------------------------------------------------------------------------

def test_competing_vendor_is_named():
    p = project(dependencies={"model_vendors": [{"name": "BigModel Inc", "cogs_share": 0.7, "competes": True},
                                                {"name": "Other", "cogs_share": 0.2, "competes": False}]})
    f = risk_facts(p)
    assert value(f, "risk.competing_vendor") == "BigModel Inc"
    assert value(f, "risk.top_vendor_share") == 0.7


def test_risk_register_counts_only_live_serious_items():
    p = project(risks=[{"kind": "sanctions", "status": "open", "severity": "high"},
                       {"kind": "litigation", "status": "pending", "severity": "critical"},
                       {"kind": "recall", "status": "resolved", "severity": "critical"},
                       {"kind": "key-person", "status": "open", "severity": "low"}])
    f = risk_facts(p)
    assert value(f, "risk.open_serious_risks") == 2
    assert value(f, "risk.open_fatal_risks") == 1


def test_bundled_rate_table_is_dated_and_sourced():
    rate = resolve_rate("CNY")
    assert rate.as_of and "European Central Bank" in rate.source
    assert 0.05 < rate.usd_per_unit < 0.25
    assert resolve_rate("USD").usd_per_unit == 1.0
