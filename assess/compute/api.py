"""Hosted (vendor API) models: the dated price catalogue, name lookup, hosted serving cost, and make-or-buy.

Make-or-buy compares paying the API per token with self-hosting an open model of similar size. Self-hosting is
priced by the public `estimate()` (its serving model may change; its result keys do not), so the comparison
follows whatever serving model the engine has.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..bounds import MAX_AMOUNT
from ..errors import UserError
from ..i18n import N_, Message
from ..project import Compute, Inference
from .catalog import closest_name, is_catalogue_model, model_catalogue

_HERE = Path(__file__).resolve().parent
MAX_VOLUME = 1e12  # requests a month: the make-or-buy search stops here
STEPS_PER_DECADE = 10


@dataclass(frozen=True)
class ApiModel:
    name: str
    vendor: str
    input_usd_per_1m: float
    output_usd_per_1m: float
    as_of: str
    source: str
    url: str
    size_class: str
    counterpart: str | None  # an open model a public source pairs with this one
    counterpart_claim: str | None
    note: str | None


def normalise(name: str) -> str:
    """How founders write names: case, spaces, hyphens and a vendor prefix ('openai/') do not matter."""
    name = name.strip().lower().rsplit("/", 1)[-1]
    return re.sub(r"[^a-z0-9.]", "", name)


@cache
def _file() -> dict[str, Any]:
    return yaml.safe_load((_HERE / "api_models.yaml").read_text(encoding="utf-8"))


@cache
def api_models() -> tuple[ApiModel, ...]:
    rows = []
    for row in _file()["models"]:
        price, pair = row["price"], row.get("open_counterpart") or {}
        rows.append(ApiModel(row["name"], row["vendor"], float(row["input"]), float(row["output"]),
                             str(price["as_of"]), price["source"], price["url"], row["size_class"],
                             pair.get("model"), pair.get("claim"), row.get("note")))
    return tuple(rows)


@cache
def _lookup() -> dict[str, ApiModel]:
    table: dict[str, ApiModel] = {}
    for model, row in zip(api_models(), _file()["models"]):
        for alias in (row["name"], *(row.get("aliases") or ())):
            key = normalise(alias)
            if key in table and table[key] is not model:
                raise RuntimeError(f"api_models.yaml: '{alias}' names two models")
            table[key] = model
    return table


def size_classes() -> dict[str, dict[str, str]]:
    return _file()["size_classes"]


def find_api_model(name: str) -> ApiModel | None:
    return _lookup().get(normalise(name))


def did_you_mean(name: str) -> str | None:
    """The closest hosted or open model name, for a tech.base_model that matches neither catalogue."""
    names = {normalise(m.name): m.name for m in api_models()}
    names.update({normalise(k): m.name for k, m in _lookup().items()})
    names.update({normalise(m.name): m.name for m in model_catalogue().values()})
    return closest_name(normalise(name), names)


def _cost_per_request(tokens_in: float, tokens_out: float, price_in: float, price_out: float) -> float:
    # Both terms: input tokens at the input price plus output tokens at the (usually 4–8× dearer) output price.
    return (tokens_in * price_in + tokens_out * price_out) / 1e6


def hosted_serving(inf: Inference | None, model: ApiModel | None, warnings: list[str]) -> dict[str, Any]:
    """Serving through a vendor's API: cost per request from list prices; the project's own prices win."""
    tokens_in = inf.input_tokens if inf else None
    tokens_out = inf.output_tokens if inf else None
    rpm = inf.requests_per_month if inf else None
    given_in = inf.api_input_usd_per_1m if inf else None
    given_out = inf.api_output_usd_per_1m if inf else None
    price_in = given_in if given_in is not None else (model.input_usd_per_1m if model else None)
    price_out = given_out if given_out is not None else (model.output_usd_per_1m if model else None)
    from_project = given_in is not None or given_out is not None
    mixed = from_project and model is not None and (given_in is None or given_out is None)
    basis = "project.yaml and catalogue" if mixed else "project.yaml" if from_project else "catalogue"
    source: str | None
    if mixed and model is not None:  # one price from the project, the other from the list: both are named
        source = f"project.yaml for the {'input' if given_in is not None else 'output'} price; {model.source}"
    else:
        source = "project.yaml (compute.inference)" if from_project else (model.source if model else None)
    label = model.name if model else "the hosted API"
    for which, given in (("input", given_in), ("output", given_out)):
        if given == 0:
            listed = f"; the catalogue lists {model.name} at USD {getattr(model, which + '_usd_per_1m'):g} " \
                     f"per 1M {which} tokens as of {model.as_of}" if model else ""
            warnings.append(Message(N_("compute.inference.api_{which}_usd_per_1m is 0: a paid API does not serve "
                                       "{which} tokens for free, so the serving cost is understated{listed}"),
                                    which=which, listed=listed))
    missing = [f"compute.inference.{k}" for k, v in (("input_tokens", tokens_in), ("output_tokens", tokens_out))
               if v is None]
    missing += [f"compute.inference.api_{k}_usd_per_1m" for k, v in (("input", price_in), ("output", price_out))
                if v is None]
    per_request = None
    if missing or tokens_in is None or tokens_out is None or price_in is None or price_out is None:
        warnings.append(Message(N_("the cost per request of {label} is unknown: give {missing} (a missing term is "
                                   "never counted as 0)"), label=label, missing=", ".join(missing)))
    else:
        per_request = _cost_per_request(tokens_in, tokens_out, price_in, price_out)
    tokens = (tokens_in or 0) + (tokens_out or 0)
    return {
        "mode": "hosted-api", "requests_per_month": rpm, "input_tokens": tokens_in, "output_tokens": tokens_out,
        "api_model": model.name if model else None, "vendor": model.vendor if model else None,
        "api_input_usd_per_1m": price_in, "api_output_usd_per_1m": price_out, "price_basis": basis,
        "price_as_of": model.as_of if model is not None and (mixed or not from_project) else None,
        "price_source": source,
        "price_note": model.note if model and (mixed or not from_project) else None,
        "cost_per_request_usd": per_request,
        "cost_per_1k_requests_usd": per_request * 1000 if per_request is not None else None,
        "cost_per_1m_tokens_usd": per_request / tokens * 1e6 if per_request is not None and tokens else None,
        "monthly_cost_usd": per_request * rpm if per_request is not None and rpm is not None else None,
    }


def pair_open_model(model: ApiModel | None) -> dict[str, str] | None:
    """The open model that self-hosting is priced with: a sourced counterpart in the open catalogue, else the
    size-class assumption (labelled as such)."""
    if model is None:
        return None
    if model.counterpart and is_catalogue_model(model.counterpart):
        return {"model": model.counterpart, "basis": "source", "why": model.counterpart_claim or ""}
    cls = size_classes()[model.size_class]
    why = cls["why"]
    if model.counterpart:  # a source names a model whose architecture the catalogue lacks
        why = (f"{why}; a source pairs {model.name} with {model.counterpart}, which is not in the open-model "
               f"catalogue ({model.counterpart_claim})")
    return {"model": cls["model"], "basis": "assumption", "why": why}


def _self_host_spec(project_compute: Compute, open_model: str, volume: float, tokens_in: float,
                    tokens_out: float) -> Compute:
    """Self-hosting the open model at `volume` requests a month, on the project's GPU and price if it gives one."""
    given = project_compute.inference
    serving = {k: getattr(given, k) for k in ("precision", "gpu", "batch_size", "peak_to_average")
               if given is not None and getattr(given, k) is not None}
    if "precision" not in serving and _gpu_has_fp8(project_compute, serving.get("gpu")):
        # A practitioner serving an open model on Hopper-class GPUs uses FP8 weights, as NVIDIA's published
        # throughput does; bf16 would price the alternative at up to twice the GPUs.
        serving["precision"] = "fp8"
    return Compute(base_model=open_model, gpu=project_compute.gpu, gpus=project_compute.gpus,
                   gpu_hour_usd=project_compute.gpu_hour_usd,
                   inference=Inference(requests_per_month=volume, input_tokens=tokens_in, output_tokens=tokens_out,
                                       **serving))


def _gpu_has_fp8(project_compute: Compute, serving_gpu: str | None) -> bool:
    from .catalog import find_gpu, gpu_catalogue
    from .estimate import DEFAULT_GPU

    try:
        gpu = find_gpu(serving_gpu or project_compute.gpu or DEFAULT_GPU, gpu_catalogue(project_compute.gpus or ()))
    except UserError:
        return False
    return bool(gpu.fp8_tflops)


def _table(hosted: dict[str, Any], pair: dict[str, str] | None) -> dict[str, Any]:
    return {
        "available": False, "reason": "", "api_model": hosted.get("api_model"), "vendor": hosted.get("vendor"),
        "api_input_usd_per_1m": hosted.get("api_input_usd_per_1m"),
        "api_output_usd_per_1m": hosted.get("api_output_usd_per_1m"),
        "price_as_of": hosted.get("price_as_of"), "price_source": hosted.get("price_source"),
        "open_model": pair["model"] if pair else None, "pairing": pair["basis"] if pair else None,
        "pairing_note": pair["why"] if pair else None, "rows": [], "breakeven_requests_month": None,
        "breakeven_note": "",
    }


def make_or_buy(project_compute: Compute, hosted: dict[str, Any], model: ApiModel | None,
                open_model: str | None = None) -> dict[str, Any]:
    """A venture on a hosted API: the API against self-hosting a similar open model, at the venture's volume and
    at 10× and 100× it, and the monthly volume from which self-hosting costs less. `open_model`: the API serves
    this open catalogue model (a hosted Llama, say), so self-hosting that same model is the alternative."""
    pair = pair_open_model(model)
    if pair is None and open_model:
        pair = {"model": open_model, "basis": "same model",
                "why": f"the API serves {open_model}, an open model: self-hosting it is the alternative"}
    out = _table(hosted, pair)
    out["venture_serves"] = "hosted API"
    if pair is None:
        out["reason"] = "the hosted model is not in the catalogue, so no open model of similar size is known"
        return out
    if hosted.get("cost_per_request_usd") is None:
        out["reason"] = "the API's cost per request is unknown (tokens per request or prices missing)"
        return out
    tokens_in, tokens_out = hosted["input_tokens"], hosted["output_tokens"]
    return _compare(out, lambda v: _self_host_spec(project_compute, pair["model"], v, tokens_in, tokens_out),
                    hosted["cost_per_request_usd"], hosted.get("requests_per_month"))


def size_class_of(params: float) -> str:
    """Assumed size class of an open model, for the reverse pairing (≤ 20B small, ≤ 150B mid, else frontier)."""
    return "small" if params <= 20e9 else "mid" if params <= 150e9 else "frontier"


def make_or_buy_self_hosted(spec: Compute, serving: dict[str, Any], model_params: float) -> dict[str, Any] | None:
    """A venture that self-hosts an open model: the same comparison, against the list price of a hosted model of
    the same size class (an assumption, labelled). None when volume or tokens per request are not stated."""
    inf = spec.inference
    if inf is None or inf.input_tokens is None or inf.output_tokens is None or not inf.requests_per_month:
        return None
    cls = size_class_of(model_params)
    ref = find_api_model(size_classes()[cls]["api"])
    if ref is None:  # the catalogue names its reference APIs; a missing one is a broken catalogue
        raise KeyError(f"reference API {size_classes()[cls]['api']!r} is not in api_models.yaml")
    hosted = hosted_serving(Inference(requests_per_month=inf.requests_per_month, input_tokens=inf.input_tokens,
                                      output_tokens=inf.output_tokens), ref, [])
    pair = {"model": serving.get("model") or "custom", "basis": "assumption",
            "why": f"assumed: a {model_params / 1e9:.3g}B open model is in the {cls} class, priced against "
                   f"{ref.name}, the catalogue's reference API for that class (a fine-tuned model may need a "
                   "vendor's fine-tuning tier, priced differently)"}
    out = _table(hosted, pair)
    out["venture_serves"] = "self-hosted"

    def at(volume: float) -> Compute:
        return spec.model_copy(update={"training_type": "none", "training_tokens": None,
                                       "inference": inf.model_copy(update={"requests_per_month": volume})})

    return _compare(out, at, hosted["cost_per_request_usd"], inf.requests_per_month)


def _compare(out: dict[str, Any], spec_at, per_request: float, rpm: float | None) -> dict[str, Any]:
    from .estimate import estimate  # the public interface; its serving internals may change

    def self_host(volume: float) -> dict[str, Any]:
        return estimate(spec_at(volume))["inference"]

    try:
        probe = self_host(1.0)
    except UserError as exc:  # e.g. the request is longer than the open model's context
        out["reason"] = "self-hosting cannot be estimated: " + "; ".join(p.message for p in exc.problems)
        return out
    if probe.get("monthly_cost_usd") is None:
        out["reason"] = "self-hosting cannot be priced: no $/GPU-hour for the serving GPU"
        return out
    out.update(available=True, gpu=probe.get("gpu"), gpu_hour_usd=probe.get("gpu_hour_usd"),
               precision=probe.get("precision"), input_tokens=probe.get("input_tokens"),
               output_tokens=probe.get("output_tokens"), api_cost_per_request_usd=per_request)
    if rpm:
        volumes = [("venture's volume", rpm), ("10× volume", 10 * rpm), ("100× volume", 100 * rpm)]
    else:  # no stated volume (pre-launch): three illustrative volumes
        volumes = [("illustrative", 1e5), ("illustrative", 1e6), ("illustrative", 1e7)]
    volumes = [(label, v) for label, v in volumes if v <= MAX_AMOUNT]  # the schema's bound on any volume
    for label, volume in volumes:
        s = self_host(volume)
        api_cost = per_request * volume
        out["rows"].append({"label": label, "requests_per_month": volume, "api_monthly_usd": api_cost,
                            "self_host_monthly_usd": s["monthly_cost_usd"], "self_host_gpus": s.get("gpus_needed"),
                            "cheaper": "self-host" if s["monthly_cost_usd"] < api_cost else "API"})
    out["breakeven_requests_month"] = _breakeven(lambda v: self_host(v)["monthly_cost_usd"], per_request)
    if out["breakeven_requests_month"] is None:
        out["breakeven_note"] = "never within 1e12 requests/month"
    if rpm and out["rows"]:
        venture = out["rows"][0]
        out["self_host_to_api"] = venture["self_host_monthly_usd"] / venture["api_monthly_usd"] \
            if venture["api_monthly_usd"] > 0 else None
    return out


def _breakeven(self_host_monthly, per_request: float) -> float | None:
    """The smallest monthly volume at which self-hosting costs no more than the API. Self-hosting is a step
    function of GPUs, the API a line through 0, so a coarse geometric scan finds the first volume where self-
    hosting is cheaper and bisection narrows the step where the line crosses it."""
    if per_request <= 0:
        return None  # a free API is never beaten
    previous = 1.0
    for k in range(0, 12 * STEPS_PER_DECADE + 1):
        volume = 10 ** (k / STEPS_PER_DECADE)
        if self_host_monthly(volume) <= per_request * volume:
            if k == 0:
                return volume
            low, high = previous, volume
            for _ in range(60):
                if high - low <= max(1.0, low * 1e-4):
                    break
                mid = math.sqrt(low * high) if high / low > 1.01 else (low + high) / 2
                if self_host_monthly(mid) <= per_request * mid:
                    high = mid
                else:
                    low = mid
            return high
        previous = volume
    return None
