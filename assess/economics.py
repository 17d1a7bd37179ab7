"""Market, tech and business facts from project.yaml, after compute.

Money stays in the project's currency. The compute engine works in US dollars; its cost per request arrives
here in USD and is converted once, with the project's rate (`assess.fx`). Rubric thresholds stated in USD are
converted by the scorer, with the same rate.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from .facts import Facts, ratio, specs
from .fx import Rate
from .i18n import N_, Message

if TYPE_CHECKING:  # pydantic costs ~0.15 s to import; the registry of facts must not need it
    from .project import Project

TARGET_GROSS_MARGIN = 0.6  # the break-even views solve for this margin (a16z: software-like AI margins)
CASH_GENERATIVE = "cash-generative"
NO_NET_NEW_ARR = 999.0  # burn multiple when burn buys no net new revenue: worse than any band
RATE_METRICS = ("accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "win_rate", "pass_at_k", "exact_match",
                "f1", "rouge_l", "bleu", "chrf", "human_preference")
FATAL_RISK_KINDS = ("sanctions", "export-control", "product-safety", "recall")
SERIOUS = ("high", "critical")
LIVE = ("open", "pending")

FACTS = specs([
    ("market.tam", "currency/yr", "Stated total addressable market"),
    ("market.sam", "currency/yr", "Stated serviceable addressable market"),
    ("market.som", "currency/yr", "Stated serviceable obtainable market"),
    ("market.bottom_up_tam", "currency/yr", "Reachable customers × annual contract value"),
    ("market.tam_for_scoring", "currency/yr", "Bottom-up TAM where known, else the stated TAM"),
    ("market.tam_ratio", "×", "Stated TAM ÷ bottom-up TAM (large values mean top-down inflation)"),
    ("market.som_share_of_sam", "fraction", "SOM ÷ SAM"),
    ("market.growth_rate", "fraction/yr", "Annual market growth"),
    ("market.competitors", "count", "Named competitors"),
    ("market.strong_competitors", "count", "Competitors rated strong or dominant"),
    ("market.has_differentiation", "bool", "A differentiation statement is given"),
    ("market.evidence_score", "points", "Customer evidence: paying users 3, pilots 2, LOIs 1 (capped at 10; kept "
     "for user rubrics, see market.demand_evidence)"),
    ("market.demand_evidence", "points",
     "Demand on a log scale, 0–5: LOIs/pilots 1–1.5; 1 paying customer 2, +0.75 per tenfold; "
     "$10k revenue 2, +0.75 per tenfold"),
    ("tech.ml_engineers", "count", "ML engineers on the team"),
    ("tech.shipped_ml_products", "count", "ML products the team has shipped before"),
    ("tech.has_target", "bool", "A measurable target metric or an evaluation is stated"),
    ("tech.eval_evidence", "points",
     "Best stated evaluation against its baseline, 0–5: z ≥ 3 → 5, z ≥ 2 → 4, ahead → 3, no baseline → 2, "
     "behind → 1"),
    ("tech.eval_meets_target", "bool", "A stated evaluation meets the stated target"),
    ("tech.production_practices", "fraction",
     "Share of the stated production practices in place (deployment, monitoring, versioning, data validation, "
     "reproducible training, security, interpretability); unstated ones are unknown"),
    ("tech.monitoring", "bool", "Model monitoring in production"),
    ("data.source", "category", "Where the data comes from"),
    ("data.declared_license", "text", "Declared dataset license"),
    ("data.consent_for_personal_data", "bool", "Personal data is absent, or present with consent"),
    ("business.price_per_customer_month", "currency/month", "Price per customer per month"),
    ("business.gross_margin", "fraction",
     "Gross margin: per customer after inference and other COGS, else the company's"),
    ("business.inference_share_of_revenue", "fraction", "Inference cost ÷ revenue (per customer, else company)"),
    ("business.ltv", "currency", "Lifetime value: price × gross margin ÷ monthly churn"),
    ("business.ltv_to_cac", "×", "LTV ÷ CAC"),
    ("business.cac_payback_months", "months", "CAC ÷ (price × gross margin)"),
    ("business.runway_months", "months", "Cash ÷ monthly net burn; a company that burns none is cash-generative"),
    ("business.burn_multiple", "×", "Annual net burn ÷ net new ARR (0 when cash-generative)"),
    ("business.monthly_churn", "fraction/month", "Monthly customer churn"),
    ("business.breakeven_price_60", "currency/month", "Price at which gross margin reaches 60 %"),
    ("business.annual_revenue", "currency/yr", "Annualised run-rate (ARR), else revenue of the last 12 months"),
    ("business.revenue_growth", "fraction/yr", "Revenue growth over the prior 12 months"),
    ("business.rule_of_40", "fraction", "Revenue growth + free-cash-flow margin (−12 × burn ÷ revenue)"),
    ("business.capital_efficiency", "×", "Equity raised to date ÷ annual revenue"),
    ("business.covenants_met", "bool", "Debt covenants are met"),
    ("business.paid_conversion", "fraction", "Share of monthly active users who pay"),
    ("business.free_user_cost_share", "fraction", "Cost of serving free users ÷ monthly revenue"),
    ("business.hardware_margin", "fraction", "(Device price − unit cost) ÷ device price"),
    ("business.return_rate", "fraction", "Share of devices returned"),
    ("business.sell_through", "fraction", "Devices sold ÷ devices planned over the same 12 months"),
    ("compute.inference_cost_per_customer_month", "currency/month", "Inference cost per customer per month"),
    ("compute.breakeven_cost_per_request_60", "USD",
     "Highest serving cost per request at which gross margin still reaches 60 %"),
    ("risk.top_customer_share", "fraction", "Largest customer's share of revenue"),
    ("risk.top5_share", "fraction", "Five largest customers' share of revenue"),
    ("risk.recurring_share", "fraction", "Recurring share of revenue"),
    ("risk.receivable_days", "days", "Days sales outstanding"),
    ("risk.related_party_share", "fraction", "Related-party share of revenue"),
    ("risk.discounts_refunds_share", "fraction", "Discounts, refunds and returns ÷ gross revenue"),
    ("risk.revenue_audited", "bool", "Revenue figures are audited"),
    ("risk.competing_vendor", "text", "Model vendors that run the product and also sell a competing one"),
    ("risk.top_vendor_share", "fraction", "Largest model vendor's share of cost of revenue"),
    ("risk.compute_provider_share", "fraction", "Cloud or GPU provider's share of compute spend"),
    ("risk.open_serious_risks", "count", "Open or pending risks of high or critical severity"),
    ("risk.open_fatal_risks", "count",
     "Open or pending sanctions, export-control, product-safety or recall risks of high or critical severity"),
])


def _add(facts: Facts, name: str, value: Any, note: str = "", origin: str = "derived") -> None:
    facts.add(name, value, origin=origin, note=note)


def market_facts(project: Project, rate: Rate, annual_revenue: float | None) -> Facts:
    facts = Facts()
    m = project.market
    _add(facts, "market.tam", m.tam, origin="input")
    _add(facts, "market.sam", m.sam, origin="input")
    _add(facts, "market.som", m.som, origin="input")
    bottom_up = (m.customers * m.annual_contract_value
                 if m.customers is not None and m.annual_contract_value is not None else None)
    _add(facts, "market.bottom_up_tam", bottom_up)
    _add(facts, "market.tam_for_scoring", bottom_up if bottom_up is not None else m.tam,
         note="bottom-up" if bottom_up is not None else "stated, top-down")
    _add(facts, "market.tam_ratio", ratio(m.tam, bottom_up))
    _add(facts, "market.som_share_of_sam", ratio(m.som, m.sam))
    _add(facts, "market.growth_rate", m.growth_rate, origin="input")
    if m.competitors is not None:
        names = ", ".join(c.name + (f" ({c.strength})" if c.strength else "") for c in m.competitors)
        _add(facts, "market.competitors", len(m.competitors), names, origin="input")
        strong = [c.name for c in m.competitors if c.strength in {"strong", "dominant"}]
        _add(facts, "market.strong_competitors", len(strong), ", ".join(strong), origin="input")
    if m.differentiation is not None:
        _add(facts, "market.has_differentiation", len(m.differentiation.strip()) >= 20, origin="input")
    e = m.evidence
    if e is not None:
        points = 3 * min(e.paying_users or 0, 2) + 2 * min(e.pilots or 0, 2) + min(e.lois or 0, 4)
        _add(facts, "market.evidence_score", min(points, 10))
    demand = demand_evidence(project, rate.to_usd(annual_revenue))
    if demand is not None:
        _add(facts, "market.demand_evidence", demand[0], demand[1])
    return facts


def demand_evidence(project: Project, revenue_usd: float | None) -> tuple[float, str] | None:
    """Demand on a log scale (0–5): a decade of paying customers or of revenue per step, never capped at two."""
    e = project.market.evidence
    users = project.users
    paying_counts = [n for n in ((e.paying_users if e else None), project.business.customers_now) if n is not None]
    if users and users.monthly_active is not None and users.paid_conversion is not None:
        paying_counts.append(round(users.monthly_active * users.paid_conversion))
    candidates: list[tuple[float, str]] = []
    if e is not None and (e.lois is not None or e.pilots is not None):
        pilots, lois = e.pilots or 0, e.lois or 0
        candidates.append((1.5 if pilots >= 3 else 1.0 if (pilots or lois) else 0.0, f"{pilots} pilots, {lois} LOIs"))
    if paying_counts:
        paying = max(paying_counts)
        if paying >= 1:
            candidates.append((2 + 0.75 * math.log10(paying), f"{paying:,.0f} paying customers"))
        else:
            candidates.append((0.0, "no paying customers"))
    if revenue_usd is not None:
        if revenue_usd >= 1e4:
            candidates.append((2 + 0.75 * math.log10(revenue_usd / 1e4), f"USD {revenue_usd:,.0f} annual revenue"))
        else:
            candidates.append((0.5 if revenue_usd > 0 else 0.0, "revenue under USD 10k a year"))
    if not candidates:
        return None
    points, why = max(candidates, key=lambda c: c[0])
    return round(min(points, 5.0), 2), why


def _direction(metric: str) -> int:
    from .vocab import LOWER_IS_BETTER

    return -1 if metric in LOWER_IS_BETTER else 1


def eval_evidence(evals: list) -> tuple[float, str] | None:
    """The strongest stated evaluation: how far it beats its baseline, in standard errors where n is known."""
    best: tuple[float, str] | None = None
    for ev in evals:
        label = ev.name or ev.metric
        if ev.baseline_value is None:
            points, why = 2.0, f"{label} {ev.value:g} with no baseline"
        else:
            margin = _direction(ev.metric) * (ev.value - ev.baseline_value)
            z = None
            if ev.n and ev.metric in RATE_METRICS and 0 <= ev.value <= 1 and 0 <= ev.baseline_value <= 1:
                variance = (ev.value * (1 - ev.value) + ev.baseline_value * (1 - ev.baseline_value)) / ev.n
                z = margin / math.sqrt(variance) if variance > 0 else (math.inf if margin > 0 else 0.0)
            if margin < 0:
                points = 1.0
            elif z is not None and z >= 3:
                points = 5.0
            elif z is not None and z >= 2:
                points = 4.0
            elif margin > 0:
                points = 3.0
            else:
                points = 2.0
            against = f" vs {ev.baseline_value:g}" + (f" ({ev.baseline})" if ev.baseline else "")
            shown_z = f", n={ev.n}, z={z:.1f}" if z is not None and math.isfinite(z) else ""
            why = f"{label} {ev.value:g}{against}{shown_z}"
        if best is None or points > best[0]:
            best = (points, why)
    return best


def tech_facts(project: Project) -> Facts:
    facts = Facts()
    t = project.tech
    if t.team is not None:
        _add(facts, "tech.ml_engineers", t.team.ml_engineers, origin="input")
        _add(facts, "tech.shipped_ml_products", t.team.shipped_ml_products, origin="input")
    if t.target is not None or t.evals:
        _add(facts, "tech.has_target", True, t.target.metric if t.target else "evaluations stated")
    if t.evals:
        found = eval_evidence(t.evals)
        if found:
            _add(facts, "tech.eval_evidence", found[0], found[1])
        if t.target is not None:
            same = [ev for ev in t.evals if ev.metric == t.target.metric]
            if same:
                sign = _direction(t.target.metric)
                met = any(sign * (ev.value - t.target.value) >= 0 for ev in same)
                _add(facts, "tech.eval_meets_target", met, f"target {t.target.metric} {t.target.value:g}")
    practices = {"deployment": t.deployment is not None if t.deployment is not None else None,
                 "monitoring": t.monitoring, "model versioning": t.model_versioning,
                 "data validation": t.data_validation, "reproducible training": t.reproducible_training,
                 "encryption": t.security.encryption if t.security else None,
                 "interpretability": t.interpretability}
    stated = {k: v for k, v in practices.items() if v is not None}
    if stated:
        in_place = sum(bool(v) for v in stated.values())
        unstated = len(practices) - len(stated)
        _add(facts, "tech.production_practices", in_place / len(stated),
             f"{in_place} of {len(stated)} stated practices in place"
             + (f"; {unstated} not stated" if unstated else ""))
    _add(facts, "tech.monitoring", t.monitoring, origin="input")
    d = project.data
    _add(facts, "data.source", d.source, origin="input")
    _add(facts, "data.declared_license", d.license, origin="input")
    if d.personal_data is not None:
        _add(facts, "data.consent_for_personal_data", (not d.personal_data) or bool(d.consent), origin="input")
    return facts


def requests_per_customer(project: Project) -> tuple[float | None, str]:
    """Requests per customer-month and where the figure comes from: today's volume over today's customers, else
    the planned figure (a pre-revenue venture still pays for every request it will serve)."""
    inf = project.compute.inference
    customers = project.business.customers_now
    if inf is not None and inf.requests_per_month is not None and customers:
        return inf.requests_per_month / customers, "requests_per_month ÷ customers_now"
    if inf is not None and inf.requests_per_customer_month is not None:
        return inf.requests_per_customer_month, "planned (compute.inference.requests_per_customer_month)"
    return None, ""


def requests_per_customer_month(project: Project) -> float | None:
    return requests_per_customer(project)[0]


def inference_cost_per_customer(project: Project, compute_result: dict[str, Any], rate: Rate) -> float | None:
    """Inference cost per customer-month in the project currency, from compute's USD cost per request."""
    inf = compute_result.get("inference") or {}
    rpc = requests_per_customer_month(project)
    if rpc is not None and inf.get("cost_per_request_usd") is not None:
        return rate.to_local(inf["cost_per_request_usd"] * rpc)
    if project.compute.inference is None and project.tech.approach == "classical":
        return 0.0  # a classical model served on CPU: inference cost is part of other COGS
    return None


def inference_gap(project: Project, compute_result: dict[str, Any]) -> str | None:
    """Why the inference cost per customer is unknown although the product serves a model that costs money per
    request; None when it is known or no serving is described. Gross margin then stays unknown: leaving
    inference out would flatter it (49.5 % became 96 % for a pre-revenue venture)."""
    inf = compute_result.get("inference")
    if not inf or project.business.price_per_customer_month is None:
        return None
    if project.compute.inference is None and inf.get("mode") != "hosted-api":
        return None  # serving not described (a named open model alone): margin keeps its "inference unknown" note
    if inf.get("cost_per_request_usd") is None:
        return Message(N_("the serving cost per request is unknown"))
    if inf.get("cost_per_request_usd") == 0:
        return None
    if requests_per_customer_month(project) is None:
        return Message(N_("requests per customer-month are unknown: give compute.inference.requests_per_month with "
                          "business.customers_now, or a planned compute.inference.requests_per_customer_month"))
    return None


def unit_economics(project: Project, inference_per_customer: float | None, rate: Rate,
                   gap: str | None = None) -> Facts:
    """Per-customer facts: gross margin with inference, LTV, CAC payback, break-even price and request cost.
    `gap` says why a known per-request inference cost could not be put per customer: margin is then unknown."""
    facts = Facts()
    b = project.business
    price = b.price_per_customer_month
    _add(facts, "business.price_per_customer_month", price, origin="input")
    _add(facts, "business.monthly_churn", b.monthly_churn, origin="input")
    rpc, basis = requests_per_customer(project)
    if inference_per_customer is not None:
        facts.add("compute.inference_cost_per_customer_month", inference_per_customer, origin="economics",
                  note=f"{rpc:,.0f} requests per customer-month, {basis}" if rpc else "")
    if price is None:
        return facts
    if rpc:
        room = (1 - TARGET_GROSS_MARGIN) * price - (b.other_cogs_per_customer_month or 0.0)
        facts.add("compute.breakeven_cost_per_request_60", (rate.to_usd(max(room, 0.0)) or 0.0) / rpc,
                  origin="economics",
                  note=f"{rpc:,.0f} requests per customer-month, {basis}")
    if inference_per_customer is None and gap:
        return facts  # inference is a real cost whose size per customer is unknown: margin unknown, not flattered
    cogs = b.other_cogs_per_customer_month or 0.0
    if inference_per_customer is not None:
        cogs += inference_per_customer
        _add(facts, "business.inference_share_of_revenue", ratio(inference_per_customer, price), "per customer")
    elif b.other_cogs_per_customer_month is None:
        return facts  # nothing known about costs: margin stays unknown rather than a flattering 100 %
    margin = (price - cogs) / price if price > 0 else None
    note = "per customer, includes inference" if inference_per_customer is not None else \
        "per customer, inference cost unknown"
    _add(facts, "business.gross_margin", margin, note)
    _add(facts, "business.breakeven_price_60", cogs / (1 - TARGET_GROSS_MARGIN))
    if margin is not None and b.monthly_churn:
        ltv = price * margin / b.monthly_churn
        _add(facts, "business.ltv", ltv)
        _add(facts, "business.ltv_to_cac", ratio(ltv, b.cac) if b.cac else None)
    if margin is not None and margin > 0 and b.cac is not None:
        _add(facts, "business.cac_payback_months", b.cac / (price * margin))
    return facts


def annual_revenue(project: Project) -> tuple[float | None, str]:
    b = project.business
    if b.arr_now is not None:
        return b.arr_now, "run-rate (ARR)"
    if b.revenue_12m is not None:
        return b.revenue_12m, "last 12 months"
    return None, ""


def net_new_revenue(project: Project) -> tuple[float | None, str]:
    b = project.business
    if b.net_new_arr_12m is not None:
        return b.net_new_arr_12m, "net new ARR, 12 months"
    if b.revenue_12m is not None and b.revenue_prior_12m is not None:
        return b.revenue_12m - b.revenue_prior_12m, "revenue growth over the prior 12 months"
    return None, ""


def company_facts(project: Project, rate: Rate, facts_so_far: Facts) -> Facts:
    """Company-level facts: revenue scale and growth, margin, burn, runway, capital efficiency, users, devices."""
    facts = Facts()
    b = project.business
    revenue, basis = annual_revenue(project)
    _add(facts, "business.annual_revenue", revenue, basis, origin="input")
    growth = None
    if b.revenue_12m is not None and b.revenue_prior_12m:
        growth = b.revenue_12m / b.revenue_prior_12m - 1
        _add(facts, "business.revenue_growth", growth, "last 12 months ÷ the 12 before")
    elif b.arr_now is not None and b.net_new_arr_12m is not None and b.arr_now - b.net_new_arr_12m > 0:
        growth = b.arr_now / (b.arr_now - b.net_new_arr_12m) - 1
        _add(facts, "business.revenue_growth", growth, "ARR now ÷ ARR a year ago")
    if "business.gross_margin" not in facts_so_far:
        margin, note = None, ""
        if b.gross_margin is not None:
            margin, note = b.gross_margin, "company, stated"
        elif b.revenue_12m and b.cogs_12m is not None:
            margin, note = (b.revenue_12m - b.cogs_12m) / b.revenue_12m, "company: (revenue − COGS) ÷ revenue"
        _add(facts, "business.gross_margin", margin, note)
    if "business.inference_share_of_revenue" not in facts_so_far and b.inference_cogs_12m is not None and b.revenue_12m:
        _add(facts, "business.inference_share_of_revenue", b.inference_cogs_12m / b.revenue_12m,
             "company: inference and compute COGS ÷ revenue, 12 months")
    burn = b.monthly_burn
    if burn is not None:
        if burn <= 0:
            _add(facts, "business.runway_months", CASH_GENERATIVE,
                 f"burns nothing: {-burn:,.0f} a month generated" if burn < 0 else "burns nothing")
            _add(facts, "business.burn_multiple", 0.0, CASH_GENERATIVE)
        else:
            _add(facts, "business.runway_months", ratio(b.cash, burn), "cash ÷ monthly net burn")
            new, how = net_new_revenue(project)
            if new is not None:
                if new > 0:
                    _add(facts, "business.burn_multiple", burn * 12 / new, how)
                else:
                    _add(facts, "business.burn_multiple", NO_NET_NEW_ARR, f"{how} is not positive: burn buys no growth")
        if growth is not None and revenue:
            _add(facts, "business.rule_of_40", growth - 12 * burn / revenue,
                 f"growth {growth:.0%} + cash-flow margin {-12 * burn / revenue:.0%}")
    if b.raised_to_date is not None and revenue:
        _add(facts, "business.capital_efficiency", b.raised_to_date / revenue, f"raised ÷ {basis}")
    _add(facts, "business.covenants_met", b.covenants_met, origin="input")
    u = project.users
    if u is not None:
        _add(facts, "business.paid_conversion", u.paid_conversion, origin="input")
        monthly_revenue = (revenue / 12) if revenue else None
        if u.monthly_active is not None and u.paid_conversion is not None and u.free_user_cost_month is not None \
                and monthly_revenue:
            free_cost = u.monthly_active * (1 - u.paid_conversion) * u.free_user_cost_month
            _add(facts, "business.free_user_cost_share", free_cost / monthly_revenue,
                 f"{u.monthly_active * (1 - u.paid_conversion):,.0f} free users")
    h = project.hardware
    if h is not None:
        if h.device_price and h.unit_cost is not None:
            _add(facts, "business.hardware_margin", (h.device_price - h.unit_cost) / h.device_price)
        _add(facts, "business.return_rate", h.return_rate, origin="input")
        if h.units_sold_12m is not None and h.units_planned_12m:
            _add(facts, "business.sell_through", h.units_sold_12m / h.units_planned_12m,
                 f"{h.units_sold_12m:,} sold of {h.units_planned_12m:,} planned")
    return facts


def risk_facts(project: Project) -> Facts:
    """Revenue quality, dependence on vendors that compete, and the risk register."""
    facts = Facts()
    q = project.business.revenue_quality
    if q is not None:
        for name in ("top_customer_share", "top5_share", "receivable_days", "related_party_share",
                     "discounts_refunds_share"):
            _add(facts, f"risk.{name}", getattr(q, name), origin="input")
    _add(facts, "risk.recurring_share", project.business.recurring_share, origin="input")
    _add(facts, "risk.revenue_audited", project.business.revenue_audited, origin="input")
    deps = project.dependencies
    vendors = (deps.model_vendors or []) if deps else []
    if vendors:
        known = [v for v in vendors if v.competes is not None]
        competing = [v for v in vendors if v.competes]
        if competing:
            _add(facts, "risk.competing_vendor", ", ".join(v.name for v in competing),
                 "; ".join(f"{v.name}: {v.cogs_share:.0%} of COGS" for v in competing if v.cogs_share is not None))
        elif known:
            _add(facts, "risk.competing_vendor", "none", ", ".join(v.name for v in known) + ": no competing product")
        shares = [v for v in vendors if v.cogs_share is not None]
        if shares:
            top = max(shares, key=lambda v: v.cogs_share or 0.0)  # shares: cogs_share is set
            _add(facts, "risk.top_vendor_share", top.cogs_share, top.name)
    if deps and deps.compute_provider and deps.compute_provider.share_of_compute_spend is not None:
        _add(facts, "risk.compute_provider_share", deps.compute_provider.share_of_compute_spend,
             deps.compute_provider.name)
    if project.risks is not None:
        serious = [r for r in project.risks if r.status in LIVE and r.severity in SERIOUS]
        fatal = [r for r in serious if r.kind in FATAL_RISK_KINDS]
        describe = lambda rs: "; ".join(  # noqa: E731
            f"{r.kind} ({r.severity}, {r.status})" + (f": {r.description}" if r.description else "") for r in rs)
        _add(facts, "risk.open_serious_risks", len(serious), describe(serious), origin="input")
        _add(facts, "risk.open_fatal_risks", len(fatal), describe(fatal), origin="input")
    return facts


def economic_facts(project: Project, compute_result: dict[str, Any], rate: Rate) -> Facts:
    """Every fact that follows from project.yaml and the compute estimate (USD converted with `rate`)."""
    facts = Facts()
    facts.update(tech_facts(project))
    facts.update(unit_economics(project, inference_cost_per_customer(project, compute_result, rate), rate,
                                inference_gap(project, compute_result)))
    facts.update(company_facts(project, rate, facts))
    revenue, _ = annual_revenue(project)
    facts.update(market_facts(project, rate, revenue))
    facts.update(risk_facts(project))
    return facts
