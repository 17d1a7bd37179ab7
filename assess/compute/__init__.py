"""Compute engine: training and serving cost from first principles, in US dollars.

It knows nothing of prices, customers or currencies: `assess.economics` turns its cost per request into unit
economics in the project's currency.
"""

from __future__ import annotations

from typing import Any

from ..facts import Facts
from ..project import Project
from .catalog import find_gpu, find_model, gpu_catalogue, is_catalogue_model, model_catalogue  # noqa: F401
from .estimate import estimate
from .facts import compute_facts


def run_compute(project: Project) -> tuple[dict[str, Any], Facts]:
    spec = project.compute
    tech_model = project.tech.base_model
    if spec.base_model is None and tech_model and spec.model_params is None and is_catalogue_model(tech_model):
        spec = spec.model_copy(update={"base_model": tech_model})  # tech.base_model is enough
    result = estimate(spec)
    return result, compute_facts(result, spec.training_type)
