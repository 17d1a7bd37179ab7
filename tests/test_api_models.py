"""Ventures that call a vendor's API (issue 12, part 3): the dated hosted-model catalogue, hosted-API cost in
unit economics, pre-revenue inference cost, make-or-buy against self-hosting, and bad input.

Prices are the figures of /tmp/research_prices.md §1: LiteLLM's model_prices_and_context_window_backup.json in
litellm 1.76.1 (PyPI upload 2025-08-30), checked against AgentOps-AI/tokencost@59042a13 (2025-09-01). Every
expected value is worked out by hand beside the assertion.
"""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from assess.compute.api import api_models, find_api_model, pair_open_model
from assess.compute.estimate import estimate
from assess.fx import resolve_rate
from assess.pipeline import RunOptions, run
from assess.project import Compute, Inference
from assess.report import render

from helpers import html_text, write

OPTIONS = RunOptions(draws=0, date="2026-01-01", run_bench=False)


def venture(base_model: str = "GPT-4o", *, inference: dict | None = None, business: dict | None = None,
            **extra) -> dict:
    """An API venture: 10 customers, 10,000 requests a month (1,000 each), 1,000 in / 500 out tokens."""
    data = {
        "name": "Hosted Co", "stage": "seed", "currency": "USD",
        "tech": {"task": "generation", "approach": "prompt", "base_model": base_model},
        "compute": {"training_type": "none",
                    "inference": {"requests_per_month": 10_000, "input_tokens": 1000, "output_tokens": 500,
                                  **(inference or {})}},
        "business": {"price_per_customer_month": 100, "other_cogs_per_customer_month": 10, "customers_now": 10,
                     **(business or {})},
    }
    data.update(extra)
    return data


def run_dict(tmp_path, data: dict, name: str = "project.yaml") -> dict:
    return run(write(tmp_path, yaml.safe_dump(data, allow_unicode=True), name), OPTIONS)


def fact(result: dict, name: str):
    return result["facts"].get(name, {}).get("value")


# --- the catalogue -----------------------------------------------------------------------------------------

def test_catalogue_prices_are_dated_and_sourced():
    """Every hosted model has a positive input and output price, an ISO date and a source with a URL."""
    rows = api_models()
    assert len(rows) >= 25
    for m in rows:
        assert m.input_usd_per_1m > 0 and m.output_usd_per_1m > 0, m.name
        assert dt.date.fromisoformat(m.as_of) <= dt.date(2026, 1, 1), m.name
        assert m.url.startswith("https://") and m.url in m.source, m.name
        assert m.size_class in ("small", "mid", "frontier"), m.name


@pytest.mark.parametrize("name, price_in, price_out, as_of", [
    # LiteLLM 1.76.1 (2025-08-30), USD per 1M tokens = *_cost_per_token × 1e6
    ("gpt-4o", 2.50, 10.00, "2025-08-30"),
    ("gpt-4o-mini", 0.15, 0.60, "2025-08-30"),
    ("gpt-4.1", 2.00, 8.00, "2025-08-30"),
    ("o3", 2.00, 8.00, "2025-08-30"),  # after the mid-2025 cut from 10 / 40
    ("claude-3-5-sonnet", 3.00, 15.00, "2025-08-30"),
    ("claude-3-5-haiku", 0.80, 4.00, "2025-08-30"),  # the dated key, not the inconsistent -latest alias
    ("claude-opus-4", 15.00, 75.00, "2025-08-30"),
    ("gemini-2.5-pro", 1.25, 10.00, "2025-08-30"),  # ≤200k-token prompts
    ("gemini-2.5-flash", 0.30, 2.50, "2025-08-30"),
    ("deepseek-chat", 0.27, 1.10, "2025-08-30"),  # also api-docs.deepseek.com's table (cache miss)
    ("deepseek-reasoner", 0.55, 2.19, "2025-08-30"),
    ("mistral-large", 2.00, 6.00, "2025-08-30"),
    ("qwen-max", 1.60, 6.40, "2025-11-16"),  # LiteLLM 1.80.0: no price in 1.76.1
    ("qwen-plus", 0.40, 1.20, "2025-11-16"),
])
def test_catalogue_figures_match_the_dated_snapshot(name, price_in, price_out, as_of):
    m = find_api_model(name)
    assert (m.input_usd_per_1m, m.output_usd_per_1m, m.as_of) == (price_in, price_out, as_of)


@pytest.mark.parametrize("written, canonical", [
    ("GPT-4o", "gpt-4o"), ("gpt 4o", "gpt-4o"), ("openai/gpt-4o", "gpt-4o"), ("GPT-4o mini", "gpt-4o-mini"),
    ("Claude 3.5 Sonnet", "claude-3-5-sonnet"), ("claude-3-5-sonnet-20241022", "claude-3-5-sonnet"),
    ("Claude Sonnet 4", "claude-sonnet-4"), ("gemini/gemini-2.5-pro", "gemini-2.5-pro"),
    ("mistral-large-latest", "mistral-large"), ("DeepSeek-Chat", "deepseek-chat"),
])
def test_names_are_found_as_founders_write_them(written, canonical):
    assert find_api_model(written).name == canonical


def test_open_models_are_not_hosted_and_pairings_say_what_they_rest_on():
    assert find_api_model("Llama-3.1-8B") is None
    # Sourced: Meta's Llama 3.1 announcement names GPT-4o; the 405B is in the open-model catalogue.
    pair = pair_open_model(find_api_model("gpt-4o"))
    assert pair["model"] == "Llama-3.1-405B" and pair["basis"] == "source" and "Meta" in pair["why"]
    # The source names Mistral Small 3, which the open catalogue lacks: the size class is an assumption, said so.
    pair = pair_open_model(find_api_model("gpt-4o-mini"))
    assert pair["basis"] == "assumption" and pair["model"] == "Llama-3.1-8B" and "Mistral-Small-24B" in pair["why"]
    assert pair_open_model(find_api_model("gpt-4.1"))["basis"] == "assumption"


# --- hosted-API cost in unit economics ------------------------------------------------------------------------

def test_hosted_api_cost_flows_into_gross_margin_and_a_price_change_moves_it(tmp_path):
    base = run_dict(tmp_path, venture(), "a.yaml")
    inf = base["evidence"]["compute"]["inference"]
    # gpt-4o: (1000 × 2.50 + 500 × 10.00) ÷ 1e6 = 0.0075 USD a request (dropping either term fails this)
    assert inf["mode"] == "hosted-api" and inf["cost_per_request_usd"] == pytest.approx(0.0075)
    assert inf["price_as_of"] == "2025-08-30" and "litellm" in inf["price_source"].lower()
    assert fact(base, "compute.cost_per_request_usd") == pytest.approx(0.0075)
    # 10,000 requests ÷ 10 customers = 1,000 a customer → 7.50 USD; margin (100 − 10 − 7.5) ÷ 100 = 0.825
    assert fact(base, "compute.inference_cost_per_customer_month") == pytest.approx(7.5)
    assert fact(base, "business.gross_margin") == pytest.approx(0.825)
    # The project's own output price wins: (2500 + 500 × 20) ÷ 1e6 = 0.0125 → 12.50 → (100 − 22.5) ÷ 100
    dearer = run_dict(tmp_path, venture(inference={"api_output_usd_per_1m": 20}), "b.yaml")
    dearer_inf = dearer["evidence"]["compute"]["inference"]
    assert dearer_inf["api_input_usd_per_1m"] == 2.5 and dearer_inf["price_basis"] == "project.yaml and catalogue"
    assert dearer_inf["price_as_of"] == "2025-08-30"
    assert "project.yaml for the output price" in dearer_inf["price_source"]
    assert fact(dearer, "business.gross_margin") == pytest.approx(0.775)
    # A cheaper model: gpt-4o-mini (1000 × 0.15 + 500 × 0.60) ÷ 1e6 = 0.00045 → 0.45 → (100 − 10.45) ÷ 100
    mini = run_dict(tmp_path, venture("gpt-4o-mini"), "c.yaml")
    assert fact(mini, "business.gross_margin") == pytest.approx(0.8955)


def test_api_cost_is_converted_into_the_project_currency(tmp_path):
    data = venture(currency="CNY", business={"price_per_customer_month": 800})
    result = run_dict(tmp_path, data)
    rate = resolve_rate("CNY")
    per_customer = rate.to_local(0.0075 * 1000)  # 7.50 USD a customer-month, in CNY
    assert fact(result, "compute.inference_cost_per_customer_month") == pytest.approx(per_customer)
    assert fact(result, "business.gross_margin") == pytest.approx((800 - 10 - per_customer) / 800)


def test_pre_revenue_venture_keeps_its_inference_cost(tmp_path):
    # No customers yet: the planned 1,000 requests a customer-month price inference (7.50 USD), so the margin
    # is the same 0.825 as with ten customers, not the flattering 0.90 that other COGS alone would give.
    planned = venture(business={"customers_now": 0}, inference={"requests_per_customer_month": 1000})
    result = run_dict(tmp_path, planned, "a.yaml")
    assert fact(result, "compute.inference_cost_per_customer_month") == pytest.approx(7.5)
    assert fact(result, "business.gross_margin") == pytest.approx(0.825)
    assert "planned" in result["facts"]["compute.inference_cost_per_customer_month"]["note"]
    # Without a planned figure the margin is unknown, with the reason given, never (100 − 10) ÷ 100.
    for name, business in (("b.yaml", {"customers_now": 0}), ("c.yaml", {"customers_now": None})):
        unknown = run_dict(tmp_path, venture(business=business), name)
        assert fact(unknown, "business.gross_margin") is None
        assert fact(unknown, "compute.cost_per_request_usd") == pytest.approx(0.0075)  # per request still known
        assert any("gross margin per customer is unknown" in w and "requests_per_customer_month" in w
                   for w in unknown["warnings"])


def test_self_hosted_pre_revenue_venture_keeps_its_inference_cost(tmp_path):
    data = {"name": "Self Host Co", "stage": "seed",
            "compute": {"base_model": "Llama-3.1-8B", "gpu_hour_usd": 2.0,
                        "inference": {"requests_per_month": 300_000, "input_tokens": 800, "output_tokens": 200,
                                      "requests_per_customer_month": 3000}},
            "business": {"price_per_customer_month": 500, "other_cogs_per_customer_month": 50, "customers_now": 0}}
    result = run_dict(tmp_path, data)
    per_request = result["evidence"]["compute"]["inference"]["cost_per_request_usd"]
    assert per_request > 0
    assert fact(result, "business.gross_margin") == pytest.approx((500 - 50 - per_request * 3000) / 500)


# --- make or buy ----------------------------------------------------------------------------------------------

def test_make_or_buy_rows_come_from_the_public_estimate(tmp_path):
    result = run_dict(tmp_path, venture())
    m = result["evidence"]["compute"]["make_or_buy"]
    assert m["available"] and m["open_model"] == "Llama-3.1-405B" and m["price_as_of"] == "2025-08-30"
    assert [r["requests_per_month"] for r in m["rows"]] == [10_000, 100_000, 1_000_000]
    assert m["precision"] == "fp8"  # Hopper-class GPUs serve open models in FP8, as NVIDIA's published figures do
    for row in m["rows"]:
        spec = Compute(base_model="Llama-3.1-405B", inference=Inference(
            requests_per_month=row["requests_per_month"], input_tokens=1000, output_tokens=500, precision="fp8"))
        assert row["self_host_monthly_usd"] == pytest.approx(estimate(spec)["inference"]["monthly_cost_usd"])
        assert row["api_monthly_usd"] == pytest.approx(0.0075 * row["requests_per_month"])
        assert row["cheaper"] == ("API" if row["api_monthly_usd"] <= row["self_host_monthly_usd"] else "self-host")


def test_break_even_volume_is_where_self_hosting_first_costs_less(tmp_path):
    # A cheap GPU hour makes self-hosting the 8B counterpart of gpt-4o-mini win at some volume.
    data = venture("gpt-4o-mini", compute={"training_type": "none", "gpu_hour_usd": 1.0, "inference": {
        "requests_per_month": 10_000, "input_tokens": 1000, "output_tokens": 500}})
    m = run_dict(tmp_path, data)["evidence"]["compute"]["make_or_buy"]
    volume = m["breakeven_requests_month"]
    assert volume is not None and m["open_model"] == "Llama-3.1-8B"
    per_request = 0.00045  # (1000 × 0.15 + 500 × 0.60) ÷ 1e6

    def self_host(v: float) -> float:
        spec = Compute(base_model="Llama-3.1-8B", gpu_hour_usd=1.0,
                       inference=Inference(requests_per_month=v, input_tokens=1000, output_tokens=500))
        return estimate(spec)["inference"]["monthly_cost_usd"]

    assert self_host(volume) <= per_request * volume
    below = [10 ** (k / 10) for k in range(121) if 10 ** (k / 10) < volume * 0.999]
    assert below and all(self_host(v) > per_request * v for v in below)


def test_break_even_says_never_when_the_api_is_cheaper_at_any_volume(tmp_path):
    data = venture(inference={"api_input_usd_per_1m": 0.001, "api_output_usd_per_1m": 0.001})
    m = run_dict(tmp_path, data)["evidence"]["compute"]["make_or_buy"]
    assert m["breakeven_requests_month"] is None and m["breakeven_note"] == "never within 1e12 requests/month"
    assert all(row["cheaper"] == "API" for row in m["rows"])


@pytest.mark.slow
def test_run_on_gpt4o_venture_reports_the_make_or_buy_table(tmp_path, invoke):
    """The report's wording, read from the HTML the PDF is laid out from (the api-app archetype's real PDF is read
    back in test_company.py)."""
    path = write(tmp_path, yaml.safe_dump(venture("GPT-4o")))
    out = tmp_path / "report.html"
    result = invoke("run", path, "-o", out, "--format", "html", "--no-bench", "--date", "2026-01-01")
    assert result.exit_code == 0, result.output
    text = html_text(out.read_text(encoding="utf-8"))
    assert "Make or buy" in text and "Self-host per month" in text and "Llama-3.1-405B" in text
    assert "Self-hosting becomes cheaper" in text
    assert "2025-08-30" in text and "litellm 1.76.1" in text  # the price's date and source
    assert "USD 75" in text  # the API bill at the venture's volume: 10,000 × 0.0075
    md = tmp_path / "report.md"
    assert invoke("run", path, "-o", md, "--format", "md", "--no-bench").exit_code == 0
    body = md.read_text(encoding="utf-8")
    assert "## Make or buy" in body and "| venture's volume | 10k | USD 75 |" in body


# --- bad input ----------------------------------------------------------------------------------------------

def test_unknown_base_model_warns_with_a_did_you_mean_and_the_run_still_works(tmp_path, invoke):
    data = venture("GPT-4oo")
    path = write(tmp_path, yaml.safe_dump(data))
    result = invoke("run", path, "-o", tmp_path / "r.json", "--format", "json", "--no-bench")
    assert result.exit_code == 0
    assert "did you mean 'gpt-4o'?" in result.stderr
    assert invoke("validate", path).exit_code == 0
    report = run(path, OPTIONS)
    assert any("tech.base_model 'GPT-4oo'" in w and "did you mean 'gpt-4o'" in w for w in report["warnings"])


def test_zero_price_for_a_paid_api_is_warned_and_the_report_repeats_it(tmp_path):
    result = run_dict(tmp_path, venture(inference={"api_output_usd_per_1m": 0}))
    warning = next(w for w in result["warnings"] if "api_output_usd_per_1m is 0" in w)
    assert "USD 10 per 1M output tokens as of 2025-08-30" in warning  # what the catalogue lists
    assert result["evidence"]["compute"]["inference"]["cost_per_request_usd"] == pytest.approx(0.0025)
    assert "api\\_output\\_usd\\_per\\_1m is 0" in render(result, "md").decode("utf-8")
    assert "api_output_usd_per_1m is 0" in html_text(render(result, "html"))


def test_missing_output_tokens_leave_the_api_cost_unknown_not_zero(tmp_path):
    data = venture()
    del data["compute"]["inference"]["output_tokens"]
    result = run_dict(tmp_path, data)
    assert result["evidence"]["compute"]["inference"]["cost_per_request_usd"] is None
    assert fact(result, "business.gross_margin") is None
    assert any("compute.inference.output_tokens" in w for w in result["warnings"])


def test_hostile_model_name_stays_text_in_the_report(tmp_path):
    result = run_dict(tmp_path, venture("<img src=x onerror=alert(1)>"))
    assert any("<img src=x" in w for w in result["warnings"])
    html = render(result, "html").decode("utf-8")
    assert "<img src=x" not in html and "&lt;img src=x" in html


def test_self_hosted_venture_is_compared_with_an_api_of_its_size_class(tmp_path):
    # The figure: the strong example self-hosts Llama-3.1-8B for 900k requests (900 in / 250 out).
    data = {"name": "Self Host Co", "stage": "seed", "tech": {"base_model": "Llama-3.1-8B"},
            "compute": {"gpu": "H100-SXM", "gpu_hour_usd": 3.0, "inference": {
                "requests_per_month": 900_000, "input_tokens": 900, "output_tokens": 250, "precision": "bf16"}}}
    m = run_dict(tmp_path, data)["evidence"]["compute"]["make_or_buy"]
    assert m["venture_serves"] == "self-hosted" and m["api_model"] == "gpt-4o-mini" and m["pairing"] == "assumption"
    row = m["rows"][0]
    # gpt-4o-mini: 900k × (900 × 0.15 + 250 × 0.60) ÷ 1e6 = 900k × 0.000285 = 256.50 USD a month
    assert row["api_monthly_usd"] == pytest.approx(256.5)
    spec = Compute(base_model="Llama-3.1-8B", gpu="H100-SXM", gpu_hour_usd=3.0, inference=Inference(
        requests_per_month=900_000, input_tokens=900, output_tokens=250, precision="bf16"))
    assert row["self_host_monthly_usd"] == pytest.approx(estimate(spec)["inference"]["monthly_cost_usd"])


def test_an_open_model_bought_through_an_api_is_compared_with_self_hosting_it(tmp_path):
    data = venture("Llama-3.1-70B", inference={"api_input_usd_per_1m": 0.6, "api_output_usd_per_1m": 0.6})
    result = run_dict(tmp_path, data)
    inf, m = result["evidence"]["compute"]["inference"], result["evidence"]["compute"]["make_or_buy"]
    # the project's prices: (1000 + 500) × 0.6 ÷ 1e6 = 0.0009 USD a request; no list price, so no date
    assert inf["mode"] == "hosted-api" and inf["cost_per_request_usd"] == pytest.approx(0.0009)
    assert inf["price_basis"] == "project.yaml" and inf["price_as_of"] is None
    assert m["available"] and m["open_model"] == "Llama-3.1-70B" and m["pairing"] == "same model"


def test_hosted_model_without_a_serving_section_says_what_is_missing(tmp_path):
    data = venture()
    del data["compute"]
    result = run_dict(tmp_path, data)
    inf, m = result["evidence"]["compute"]["inference"], result["evidence"]["compute"]["make_or_buy"]
    assert inf["api_model"] == "gpt-4o" and inf["cost_per_request_usd"] is None
    assert not m["available"] and "cost per request is unknown" in m["reason"]
    assert fact(result, "business.gross_margin") is None


def test_make_or_buy_stays_within_the_schema_bounds_at_the_largest_volume(tmp_path):
    data = venture(inference={"requests_per_month": 1e15})
    m = run_dict(tmp_path, data)["evidence"]["compute"]["make_or_buy"]
    assert [row["requests_per_month"] for row in m["rows"]] == [1e15]  # 10× and 100× would exceed 1e15


def test_make_or_buy_keeps_a_precision_the_project_states(tmp_path):
    stated = run_dict(tmp_path, venture(inference={"precision": "bf16"}))["evidence"]["compute"]["make_or_buy"]
    default = run_dict(tmp_path, venture())["evidence"]["compute"]["make_or_buy"]
    assert stated["precision"] == "bf16" and default["precision"] == "fp8"
    # bf16 weights need about twice the GPUs of fp8 for the same 405B model
    assert stated["rows"][-1]["self_host_gpus"] > default["rows"][-1]["self_host_gpus"]


def test_compute_command_knows_hosted_models(invoke, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(yaml.safe_dump(venture()), encoding="utf-8")
    result = invoke("compute", path)
    assert result.exit_code == 0, result.stderr
    assert "serving (hosted-api)" in result.stdout and "make or buy: gpt-4o" in result.stdout
    listed = invoke("compute", "--list").stdout
    assert "Hosted APIs" in listed and "gpt-4o-mini" in listed
