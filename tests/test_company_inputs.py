"""Company-level fields: bad values are located errors (file:line: field: expected …), exit 2, no traceback and
no output; odd-but-valid values (a negative burn, 亿 amounts, later stages, a vendor's API model) are accepted."""

from __future__ import annotations

import json

import pytest

BAD = [
    ("negative-cash", "business:\n  cash: -5\n", "p.yaml:3: business.cash: expected a number ≥ 0"),
    ("negative-revenue", "business:\n  revenue_12m: -1e6\n", "p.yaml:3: business.revenue_12m: expected a number ≥ 0"),
    ("negative-headcount", "business:\n  headcount: -3\n", "p.yaml:3: business.headcount: expected a number ≥ 0"),
    ("top5-below-top1", "business:\n  revenue_quality:\n    top_customer_share: 0.4\n    top5_share: 0.3\n",
     "p.yaml:5: business.revenue_quality.top5_share: expected top5_share ≥ top_customer_share"),
    ("unknown-currency", "currency: XYZ\n", "p.yaml:2: currency: expected an ISO 4217 currency code"),
    ("currency-without-rate", "currency: XAF\n", "p.yaml:2: currency: no exchange rate for XAF"),
    ("unknown-risk-kind", "risks:\n  - {kind: aliens, severity: high}\n", "p.yaml:3: risks.0.kind: expected one of"),
    ("unknown-stage", "stage: series-z\n", "p.yaml:2: stage: expected one of"),
    ("vendor-shares-over-one", "dependencies:\n  model_vendors:\n    - {name: A, cogs_share: 0.8}\n"
     "    - {name: B, cogs_share: 0.5}\n", "dependencies.model_vendors: expected the vendors' cogs_share"),
    ("bad-myriad", "business:\n  cash: 3.82亿亿\n", "p.yaml:3: business.cash: expected a number"),
    ("negative-fx", "currency: CNY\nfx: {usd_per_unit: -0.1}\n", "p.yaml:3: fx.usd_per_unit: expected a number > 0"),
    ("unknown-target-metric", "tech:\n  target: {metric: vibes, value: 1}\n", "p.yaml:3: tech.target.metric"),
]


@pytest.mark.parametrize("name, body, expected", BAD, ids=[b[0] for b in BAD])
def test_bad_company_field_is_located(invoke, tmp_path, name, body, expected):
    (tmp_path / "p.yaml").write_text("name: X\n" + body, encoding="utf-8")
    result = invoke("run", tmp_path / "p.yaml", "-o", tmp_path / "out.pdf", "--no-bench")
    assert result.exit_code == 2, result.stderr
    assert expected in result.stderr, result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not (tmp_path / "out.pdf").exists() and not list(tmp_path.glob(".*.tmp"))


def test_valid_company_spellings_are_accepted(invoke, tmp_path):
    body = """\
name: 星衡智能
stage: Series D
currency: cny
tech: {base_model: GPT-4o, approach: prompt, target: {metric: pass_at_k, value: "72%", k: 1}}
business:
  revenue_12m: 3.82亿
  cash: ¥12亿
  monthly_burn: -250万元
  raised_to_date: 1.2万亿
"""
    (tmp_path / "p.yaml").write_text(body, encoding="utf-8")
    result = invoke("run", tmp_path / "p.yaml", "--format", "json", "--no-bench")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["project"]["stage"] == "series-c" and data["project"]["currency"] == "CNY"
    facts = data["facts"]
    assert facts["business.annual_revenue"]["value"] == pytest.approx(3.82e8)
    assert facts["business.runway_months"]["value"] == "cash-generative"
    assert data["project"]["fx"]["source"].startswith("European Central Bank")


def test_schema_documents_the_company_fields(invoke):
    schema = json.loads(invoke("schema").stdout)
    for name in ("users", "hardware", "dependencies", "risks", "fx"):
        assert name in schema["properties"]
    business = schema["$defs"]["Business"]["properties"]
    for name in ("revenue_12m", "revenue_prior_12m", "raised_to_date", "covenants_met", "headcount", "revenue_quality"):
        assert name in business
    assert "negative = cash-generative" in business["monthly_burn"]["description"]
    assert "series-b" in json.dumps(schema["properties"]["stage"])


def test_competitor_strength_in_everyday_words(tmp_path):
    from assess.project import validate_project

    data = {"name": "X", "market": {"competitors": [{"name": "A", "strength": "Medium"},
                                                   {"name": "B", "strength": "high"},
                                                   {"name": "C", "strength": "low"}]}}
    project, _ = validate_project(data, {}, "p.yaml")
    assert [c.strength for c in project.market.competitors] == ["moderate", "strong", "weak"]


@pytest.mark.parametrize("written, code", [("RMB", "CNY"), ("人民币", "CNY"), ("US$", "USD"), ("HK$", "HKD"),
                                           ("eur", "EUR"), ("Yen", "JPY")])
def test_currency_names_founders_write_become_iso_codes(written, code):
    from assess.project import validate_project

    project, _ = validate_project({"name": "X", "currency": written}, {}, "p.yaml")
    assert project.currency == code


@pytest.mark.parametrize("written, message", [("¥", "both the yuan and the yen"), ("XYZ", "ISO 4217"),
                                              ("dollars", "ISO 4217")])
def test_ambiguous_or_unknown_currency_is_a_located_error(written, message):
    from assess.errors import UserError
    from assess.project import validate_project

    with pytest.raises(UserError) as caught:
        validate_project({"name": "X", "currency": written}, {("currency",): 3}, "p.yaml")
    assert message in str(caught.value) and "currency" in str(caught.value)


@pytest.mark.parametrize("written, number", [("5 million", 5e6), ("1.2 billion", 1.2e9), ("300 thousand", 3e5),
                                             ("3 crore", 3e7), ("2 lakh", 2e5), ("EUR 5bn", 5e9), ("250万元", 2.5e6)])
def test_amounts_in_words(written, number):
    from assess.numbers import parse_number

    assert parse_number(written) == pytest.approx(number)


def test_an_amount_marked_in_another_currency_is_a_located_error_with_the_conversion(invoke, tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text('name: X\ncurrency: CNY\nbusiness:\n  revenue_12m: "3.82亿元"\n  raised_to_date: "$300M"\n'
                    'compute:\n  gpu_hour_usd: "$2.5"\n  training_budget_usd: "¥1亿"\n', encoding="utf-8")
    result = invoke("validate", path)
    assert result.exit_code == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 2, result.stderr  # 元 in a CNY field and $ in a USD field are fine
    assert f"{path}:5: business.raised_to_date: '$300M' is written in USD" in lines[0]
    assert "about CNY 2,0" in lines[0]  # 300M USD at the bundled ECB rates
    assert f"{path}:8: compute.training_budget_usd:" in lines[1] and "CNY or JPY" in lines[1]


def test_currency_marks_in_text_fields_are_left_alone(tmp_path):
    from assess.project import validate_project

    project, _ = validate_project({"name": "$5M Co", "tagline": "¥3亿"}, {}, "p.yaml")
    assert project.name == "$5M Co"
