"""Facts: named, unit-carrying values derived from the project and from the engines.

Every fact name a rubric may read is declared once with `define`. Engines (compute, bench, data profile)
declare and add their own facts; the scorer only ever sees a Facts mapping.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:  # pydantic and the models cost ~0.15 s to import; the benchmark never needs them
    from .project import Project


@dataclass(frozen=True)
class FactSpec:
    name: str
    unit: str
    description: str


@dataclass(frozen=True)
class Fact:
    name: str
    value: Any
    unit: str
    origin: str  # "input", "derived", or the engine that computed it
    note: str = ""
    applicable: bool = True  # False: the question does not arise for this venture (not the same as unknown)

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "value": self.value, "unit": self.unit, "origin": self.origin,
                "note": self.note, "applicable": self.applicable}


FACT_SPECS: dict[str, FactSpec] = {}
TARGET_GROSS_MARGIN = 0.6  # the break-even views solve for this margin (a16z: software-like AI margins)


def define(name: str, unit: str, description: str) -> None:
    """Declare a fact name so rubrics may refer to it."""
    FACT_SPECS[name] = FactSpec(name, unit, description)


def known_fact_names() -> set[str]:
    _load_engines()
    return set(FACT_SPECS)


def _load_engines() -> None:
    # Importing an engine declares its facts; done lazily so the scorer never imports engines.
    from . import compute, bench, dataprofile  # noqa: F401


@dataclass
class Facts:
    """An ordered mapping of fact name → Fact. Unknown facts are simply absent."""

    items: dict[str, Fact] = field(default_factory=dict)

    def add(self, name: str, value: Any, *, origin: str = "derived", note: str = "", unit: str | None = None) -> None:
        if value is None:
            return
        if isinstance(value, float) and not math.isfinite(value):
            return
        spec = FACT_SPECS.get(name)
        if spec is None:
            raise KeyError(f"fact '{name}' is not declared; call facts.define() first")
        self.items[name] = Fact(name, value, unit if unit is not None else spec.unit, origin, note)

    def not_applicable(self, name: str, reason: str, *, origin: str = "derived") -> None:
        """Record that a fact does not apply (e.g. tokens per parameter for a LoRA fine-tune)."""
        spec = FACT_SPECS[name]
        self.items[name] = Fact(name, None, spec.unit, origin, reason, applicable=False)

    def update(self, other: "Facts") -> None:
        self.items.update(other.items)

    def get(self, name: str) -> Any:
        fact = self.items.get(name)
        return fact.value if fact else None

    def __contains__(self, name: str) -> bool:
        return name in self.items

    def __iter__(self) -> Iterator[Fact]:
        return iter(self.items.values())

    def __len__(self) -> int:
        return len(self.items)

    def as_dict(self) -> dict[str, dict[str, Any]]:
        return {name: fact.as_dict() for name, fact in sorted(self.items.items())}


# --- declared facts that need no engine -------------------------------------------------------------
for _name, _unit, _desc in [
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
    ("market.evidence_score", "points", "Customer evidence: paying users 3, pilots 2, LOIs 1 (capped at 10)"),
    ("tech.ml_engineers", "count", "ML engineers on the team"),
    ("tech.shipped_ml_products", "count", "ML products the team has shipped before"),
    ("tech.has_target", "bool", "A measurable target metric is stated"),
    ("tech.production_practices", "fraction",
     "Share of production practices in place (deployment, monitoring, versioning, data validation, "
     "reproducible training, security, interpretability)"),
    ("tech.monitoring", "bool", "Model monitoring in production"),
    ("data.source", "category", "Where the data comes from"),
    ("data.declared_license", "text", "Declared dataset licence"),
    ("data.consent_for_personal_data", "bool", "Personal data is absent, or present with consent"),
    ("business.price_per_customer_month", "currency/month", "Price per customer per month"),
    ("business.gross_margin", "fraction", "Gross margin after inference and other costs of goods sold"),
    ("business.inference_share_of_revenue", "fraction", "Inference cost ÷ revenue per customer"),
    ("business.ltv", "currency", "Lifetime value: price × gross margin ÷ monthly churn"),
    ("business.ltv_to_cac", "×", "LTV ÷ CAC"),
    ("business.cac_payback_months", "months", "CAC ÷ (price × gross margin)"),
    ("business.runway_months", "months", "Cash ÷ monthly burn"),
    ("business.burn_multiple", "×", "Annual net burn ÷ net new ARR"),
    ("business.monthly_churn", "fraction/month", "Monthly customer churn"),
    ("business.breakeven_price_60", "currency/month", "Price at which gross margin reaches 60 %"),
]:
    define(_name, _unit, _desc)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def project_facts(project: Project) -> Facts:
    """Facts that follow from project.yaml alone (market, team, practices, declared data terms)."""
    facts = Facts()
    m = project.market
    facts.add("market.tam", m.tam, origin="input")
    facts.add("market.sam", m.sam, origin="input")
    facts.add("market.som", m.som, origin="input")
    bottom_up = m.customers * m.annual_contract_value if m.customers is not None and m.annual_contract_value is not None else None
    facts.add("market.bottom_up_tam", bottom_up)
    facts.add("market.tam_for_scoring", bottom_up if bottom_up is not None else m.tam,
              note="bottom-up" if bottom_up is not None else "stated, top-down")
    facts.add("market.tam_ratio", _ratio(m.tam, bottom_up))
    facts.add("market.som_share_of_sam", _ratio(m.som, m.sam))
    facts.add("market.growth_rate", m.growth_rate, origin="input")
    if m.competitors is not None:
        facts.add("market.competitors", len(m.competitors), origin="input")
        facts.add("market.strong_competitors",
                  sum(1 for c in m.competitors if c.strength in {"strong", "dominant"}), origin="input")
    if m.differentiation is not None:
        facts.add("market.has_differentiation", len(m.differentiation.strip()) >= 20, origin="input")
    if m.evidence is not None:
        e = m.evidence
        points = 3 * min(e.paying_users or 0, 2) + 2 * min(e.pilots or 0, 2) + min(e.lois or 0, 4)
        facts.add("market.evidence_score", min(points, 10))

    t = project.tech
    if t.team is not None:
        facts.add("tech.ml_engineers", t.team.ml_engineers, origin="input")
        facts.add("tech.shipped_ml_products", t.team.shipped_ml_products, origin="input")
    facts.add("tech.has_target", t.target is not None if (t.task or t.target) else None)
    practices = [t.deployment is not None if t.deployment is not None else None, t.monitoring, t.model_versioning,
                 t.data_validation, t.reproducible_training,
                 (t.security.encryption if t.security else None), t.interpretability]
    stated = [p for p in practices if p is not None]
    if stated:
        facts.add("tech.production_practices", sum(bool(p) for p in stated) / len(practices),
                  note=f"{sum(bool(p) for p in stated)} of {len(practices)} practices in place")
    facts.add("tech.monitoring", t.monitoring, origin="input")

    d = project.data
    facts.add("data.source", d.source, origin="input")
    facts.add("data.declared_license", d.license, origin="input")
    if d.personal_data is not None:
        facts.add("data.consent_for_personal_data", (not d.personal_data) or bool(d.consent), origin="input")

    b = project.business
    facts.add("business.price_per_customer_month", b.price_per_customer_month, origin="input")
    facts.add("business.monthly_churn", b.monthly_churn, origin="input")
    facts.add("business.runway_months", _ratio(b.cash, b.monthly_burn))
    if b.monthly_burn is not None and b.net_new_arr_12m:
        if b.net_new_arr_12m > 0:
            facts.add("business.burn_multiple", b.monthly_burn * 12 / b.net_new_arr_12m)
    return facts


def unit_economics(project: Project, inference_cost_per_customer_month: float | None) -> Facts:
    """Business facts that need the inference cost (from the compute engine, or 0 when no model is served)."""
    facts = Facts()
    b = project.business
    price = b.price_per_customer_month
    if price is None:
        return facts
    cogs = (b.other_cogs_per_customer_month or 0.0)
    if inference_cost_per_customer_month is not None:
        cogs += inference_cost_per_customer_month
        facts.add("business.inference_share_of_revenue", _ratio(inference_cost_per_customer_month, price))
    elif b.other_cogs_per_customer_month is None:
        return facts  # nothing known about costs: margin stays unknown rather than a flattering 100 %
    margin = (price - cogs) / price if price > 0 else None
    note = "includes inference cost" if inference_cost_per_customer_month is not None else "inference cost unknown"
    facts.add("business.gross_margin", margin, note=note)
    facts.add("business.breakeven_price_60", cogs / (1 - TARGET_GROSS_MARGIN))
    if margin is not None and b.monthly_churn:
        ltv = price * margin / b.monthly_churn
        facts.add("business.ltv", ltv)
        facts.add("business.ltv_to_cac", _ratio(ltv, b.cac) if b.cac else None)
    if margin is not None and margin > 0 and b.cac is not None:
        facts.add("business.cac_payback_months", b.cac / (price * margin))
    return facts
