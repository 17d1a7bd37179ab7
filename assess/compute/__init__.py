"""Compute engine: training and serving cost from first principles, in US dollars.

It knows nothing of prices, customers or currencies: `assess.economics` turns its cost per request into unit
economics in the project's currency. A `tech.base_model` may name a vendor's hosted model (`api_models.yaml`):
serving is then priced per token at its dated list price, and make-or-buy compares it with self-hosting.
"""

from __future__ import annotations

from typing import Any

from ..facts import Facts
from ..i18n import N_, Message
from ..project import Project
from .api import did_you_mean, find_api_model, hosted_serving, make_or_buy, make_or_buy_self_hosted
from .catalog import gpu_catalogue, is_catalogue_model, model_catalogue  # noqa: F401  (gpu/model: `compute --list`)
from .estimate import estimate
from .facts import compute_facts


def run_compute(project: Project, as_of: str | None = None, *,
                with_make_or_buy: bool = True) -> tuple[dict[str, Any], Facts]:
    """The compute estimate for a project, with `warnings` (repeated by the report) and, for a venture that
    calls a vendor's API, `make_or_buy` (skipped when `with_make_or_buy` is false: the robustness draws hold it
    at its base value rather than search a break-even volume per draw)."""
    spec = project.compute
    tech_model = project.tech.base_model
    warnings: list[str] = []
    hosted_model = None
    self_hosted = spec.base_model is not None or spec.model_params is not None  # compute describes its own model
    if tech_model and not self_hosted:
        if is_catalogue_model(tech_model):
            spec = spec.model_copy(update={"base_model": tech_model})  # tech.base_model is enough
        else:
            hosted_model = find_api_model(tech_model)
            if hosted_model is None:  # neither open nor hosted: say so rather than ignore it
                hint = did_you_mean(tech_model)
                text = N_("tech.base_model '{model}' is neither an open model in the catalogue nor a hosted model "
                          "with a list price, so its serving cost is not estimated")
                if hint:
                    text = N_("tech.base_model '{model}' is neither an open model in the catalogue nor a hosted model "
                              "with a list price, so its serving cost is not estimated; did you mean '{hint}'?")
                warnings.append(Message(text, model=tech_model, hint=hint))
    inf = spec.inference
    prices_given = inf is not None and (inf.api_input_usd_per_1m is not None or inf.api_output_usd_per_1m is not None)
    if prices_given and hosted_model is None and tech_model and not is_catalogue_model(tech_model):
        hosted_model = find_api_model(tech_model)  # the project's prices win; the row still pairs make-or-buy
    result = estimate(spec, country=project.country, as_of=as_of)
    if hosted_model is not None or prices_given:  # hosted serving: a missing token or price term is unknown, not 0
        result["inference"] = hosted_serving(inf, hosted_model, warnings)
    if with_make_or_buy and (hosted_model is not None or prices_given):
        result["make_or_buy"] = make_or_buy(spec, result["inference"], hosted_model,
                                            spec.base_model if spec.model_params is None else None)
    elif with_make_or_buy and (result.get("inference") or {}).get("mode") == "self-hosted" and result.get("model"):
        table = make_or_buy_self_hosted(spec, result["inference"], result["model"]["params"])
        if table is not None:
            result["make_or_buy"] = table
    result["warnings"] = [*result.get("warnings", []), *warnings]
    return result, compute_facts(result, spec.training_type)
