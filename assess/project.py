"""The pydantic models of project.yaml, and loading with file/line/field error messages.

Numbers may be written plainly (5000000, 5.0e6) or as strings a person would type: "5e6", "1,000,000",
"1_000", "$5M", "2.5k", "1.2B", "3T". Rates (churn, growth, MFU) also accept "5%". Anything else is an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .bounds import (
    GPU_BANDWIDTH_GBS,
    GPU_MEMORY_GB,
    GPU_TFLOPS,
    MAX_AMOUNT,
    MAX_COUNT,
    MAX_PARAMS,
    MAX_PEAK_TO_AVERAGE,
    MAX_TOKENS,
    MAX_UNKNOWN_WARNINGS,
    MIN_MFU,
    check_path_text,
    dataset_path_problem,
)
from .errors import Problem, UserError, suggest
from .numbers import parse_number, parse_rate
from .vocab import DATA_SOURCES, GENERATIVE_METRICS, PRECISIONS, TABLE_METRICS, TRAINING_TYPES
from .yamlload import line_for, load_yaml

# Every number has a physically sensible range, so no estimate downstream can overflow (see assess/bounds.py).
NonNegative = Annotated[float, BeforeValidator(parse_number), Field(ge=0, le=MAX_AMOUNT)]  # money, volumes
Positive = Annotated[float, BeforeValidator(parse_number), Field(gt=0, le=MAX_TOKENS)]
Count = Annotated[int, BeforeValidator(parse_number), Field(ge=0, le=MAX_COUNT)]
PositiveCount = Annotated[int, BeforeValidator(parse_number), Field(ge=1, le=MAX_COUNT)]
Rate = Annotated[float, BeforeValidator(parse_rate), Field(ge=0, le=1)]
OpenRate = Annotated[float, BeforeValidator(parse_rate), Field(ge=MIN_MFU, le=1)]
GrowthRate = Annotated[float, BeforeValidator(parse_rate), Field(ge=-1, le=100)]
SignedAmount = Annotated[float, BeforeValidator(parse_number), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
Params = Annotated[float, BeforeValidator(parse_number), Field(gt=0, le=MAX_PARAMS)]
Tokens = Annotated[float, BeforeValidator(parse_number), Field(gt=0, le=MAX_TOKENS)]
PeakToAverage = Annotated[float, BeforeValidator(parse_number), Field(ge=1, le=MAX_PEAK_TO_AVERAGE)]
GpuMemory = Annotated[float, BeforeValidator(parse_number), Field(ge=GPU_MEMORY_GB[0], le=GPU_MEMORY_GB[1])]
GpuBandwidth = Annotated[float, BeforeValidator(parse_number), Field(ge=GPU_BANDWIDTH_GBS[0], le=GPU_BANDWIDTH_GBS[1])]
GpuTflops = Annotated[float, BeforeValidator(parse_number), Field(ge=GPU_TFLOPS[0], le=GPU_TFLOPS[1])]
DataPath = Annotated[str, AfterValidator(check_path_text)]
SignedMoney = SignedAmount  # a burn may be negative: cash-generative

STAGES = ("idea", "pre-seed", "seed", "series-a", "series-b", "series-c", "growth", "pre-ipo", "public")
_STAGE_ALIASES = {"series-c-or-later": "series-c", "series-c+": "series-c", "series-d": "series-c",
                  "series-e": "series-c", "series-f": "series-c", "late": "growth", "ipo": "pre-ipo",
                  "listed": "public"}
RISK_KINDS = ("litigation", "export-control", "sanctions", "regulatory-approval", "product-safety", "recall",
              "data-protection", "key-person", "ip", "other")


def _stage(value: Any) -> Any:
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "-").replace("_", "-")
        return _STAGE_ALIASES.get(key, key)
    return value


# Names and signs founders write for a currency, where they name exactly one ISO 4217 code.
_CURRENCY_ALIASES = {"RMB": "CNY", "人民币": "CNY", "元": "CNY", "YUAN": "CNY", "CN¥": "CNY", "US$": "USD", "$": "USD",
                     "DOLLAR": "USD", "HK$": "HKD", "港币": "HKD", "港元": "HKD", "€": "EUR", "EURO": "EUR", "£": "GBP",
                     "日元": "JPY", "円": "JPY", "YEN": "JPY", "₩": "KRW", "₹": "INR", "S$": "SGD", "NT$": "TWD",
                     "A$": "AUD", "C$": "CAD"}


def _currency_code(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip().upper()
        value = _CURRENCY_ALIASES.get(value, value)
        from .fx import is_iso_currency

        if value in ("¥", "￥"):
            raise ValueError("'¥' is used for both the yuan and the yen; expected CNY or JPY")
        if not (len(value) == 3 and value.isalpha() and is_iso_currency(value)):
            raise ValueError(f"expected an ISO 4217 currency code such as USD, CNY or EUR, got {value!r}")
    return value


Stage = Annotated[Literal[STAGES], BeforeValidator(_stage)]  # type: ignore[valid-type]


class Section(BaseModel):
    # Unknown keys are reported as warnings with a did-you-mean (see unknown_fields), not silently kept.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


_STRENGTH_ALIASES = {"low": "weak", "medium": "moderate", "mid": "moderate", "average": "moderate",
                     "high": "strong", "very-strong": "dominant", "leader": "dominant"}


def _strength(value: Any) -> Any:
    if isinstance(value, str):
        key = value.strip().lower().replace(" ", "-").replace("_", "-")
        return _STRENGTH_ALIASES.get(key, key)
    return value


class Competitor(Section):
    name: str
    strength: Annotated[Literal["weak", "moderate", "strong", "dominant"], BeforeValidator(_strength)] | None = None


class Evidence(Section):
    lois: Count | None = Field(None, description="Signed letters of intent.")
    pilots: Count | None = Field(None, description="Running or finished pilots.")
    paying_users: Count | None = Field(None, description="Paying customers or users today.")


class Market(Section):
    customers: Count | None = Field(None, description="Reachable customer accounts (bottom-up).")
    annual_contract_value: NonNegative | None = Field(None, description="Average annual contract value.")
    tam: NonNegative | None = Field(None, description="Total addressable market per year, in currency.")
    sam: NonNegative | None = Field(None, description="Serviceable addressable market per year.")
    som: NonNegative | None = Field(None, description="Serviceable obtainable market per year (3-5 years out).")
    growth_rate: GrowthRate | None = Field(None, description="Annual market growth as a fraction (0.25 = 25 %).")
    competitors: list[Competitor] | None = None
    differentiation: str | None = None
    evidence: Evidence | None = None




class Target(Section):
    metric: Literal[TABLE_METRICS + GENERATIVE_METRICS]  # type: ignore[valid-type]
    value: Annotated[float, BeforeValidator(parse_rate), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
    k: PositiveCount | None = Field(None, description="k of pass@k.")


class Eval(Section):
    """One evaluation the venture ran: its metric, its value, a baseline's value on the same set, and the set size."""

    metric: Literal[TABLE_METRICS + GENERATIVE_METRICS]  # type: ignore[valid-type]
    value: Annotated[float, BeforeValidator(parse_rate), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)]
    baseline_value: Annotated[float, BeforeValidator(parse_rate), Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT)] | None = None
    baseline: str | None = Field(None, description="What the baseline is, e.g. 'GPT-4o zero-shot'.")
    n: PositiveCount | None = Field(None, description="Items in the evaluation set.")
    name: str | None = None


class Team(Section):
    ml_engineers: Count | None = None
    shipped_ml_products: Count | None = None


class Security(Section):
    encryption: bool | None = None
    adversarial_testing: bool | None = None
    differential_privacy: bool | None = None


class Tech(Section):
    task: Literal["text-classification", "tabular-classification", "regression", "image-classification",
                  "generation", "other"] | None = None
    approach: Literal["classical", "prompt", "rag", "fine-tune", "pretrain"] | None = None
    base_model: str | None = Field(None, description="An open model from the catalogue, or a vendor's API model "
                                   "(e.g. GPT-4o), which is then served through the vendor.")
    target: Target | None = None
    evals: list[Eval] | None = Field(None, description="Evaluations run: metric, value, baseline value, n.")
    team: Team | None = None
    deployment: Literal["container", "serverless", "on-prem"] | None = None
    monitoring: bool | None = None
    model_versioning: bool | None = None
    data_validation: bool | None = Field(None, description="Input data is schema-checked in the pipeline.")
    reproducible_training: bool | None = None
    security: Security | None = None
    interpretability: bool | None = None


class Datasheet(Section):
    """Answers to the seven Datasheets for Datasets sections (Gebru et al.)."""

    motivation: str | None = None
    composition: str | None = None
    collection: str | None = None
    preprocessing: str | None = None
    uses: str | None = None
    distribution: str | None = None
    maintenance: str | None = None


class Data(Section):
    path: DataPath | None = Field(None, description="Dataset file, relative to project.yaml.")
    target: str | None = None
    text_columns: list[str] | None = None
    drop_columns: list[str] | None = None
    source: Literal[DATA_SOURCES] | None = None  # type: ignore[valid-type]
    license: str | None = None
    commercial_use_allowed: bool | None = None
    personal_data: bool | None = None
    consent: bool | None = None
    datasheet: Datasheet | None = None


class Inference(Section):
    requests_per_month: NonNegative | None = None
    input_tokens: NonNegative | None = Field(None, description="Input tokens per request.")
    output_tokens: NonNegative | None = Field(None, description="Output tokens per request.")
    precision: Literal[PRECISIONS] | None = None  # type: ignore[valid-type]
    gpu: str | None = Field(None, description="Serving GPU, if different from compute.gpu.")
    batch_size: PositiveCount | None = None
    peak_to_average: PeakToAverage | None = None
    tensor_parallel: PositiveCount | None = Field(
        None, description="GPUs per serving replica: 1, 2, 4, 8 or a multiple of 8 (default: the cheapest that fits).")
    ttft_ms: Positive | None = Field(None, description="Latency target: time to first token, milliseconds.")
    tpot_ms: Positive | None = Field(None, description="Latency target: time per output token, milliseconds.")
    api_input_usd_per_1m: NonNegative | None = Field(None, description="Hosted-API price per 1M input tokens.")
    api_output_usd_per_1m: NonNegative | None = Field(None, description="Hosted-API price per 1M output tokens.")
    requests_per_customer_month: NonNegative | None = Field(
        None, description="Planned requests per customer-month: prices inference per customer before there are "
        "paying customers (customers_now 0 or missing).")


class GpuSpec(Section):
    name: str
    memory_gb: GpuMemory
    bandwidth_gbs: GpuBandwidth
    bf16_tflops: GpuTflops
    fp8_tflops: GpuTflops | None = None
    usd_per_hour: NonNegative | None = None


class Compute(Section):
    base_model: str | None = None
    model_params: Params | None = None
    active_params: Params | None = None
    layers: PositiveCount | None = None
    hidden_size: PositiveCount | None = None
    heads: PositiveCount | None = None
    kv_heads: PositiveCount | None = None
    head_dim: PositiveCount | None = None
    context_length: PositiveCount | None = None
    training_tokens: Tokens | None = None
    training_type: Literal[TRAINING_TYPES] | None = None  # type: ignore[valid-type]
    training_precision: Literal["bf16", "fp8"] | None = Field(
        None, description="Training number format: fp8 uses the GPU's FP8 peak (DeepSeek-V3's recipe) [default: bf16].")
    goodput: OpenRate | None = Field(
        None, description="Share of wall-clock GPU time spent training, after restarts and downtime [default: 0.9].")
    adapter_share: Annotated[float, BeforeValidator(parse_rate), Field(gt=0, le=1)] | None = Field(
        None, description="LoRA/QLoRA: trainable parameters as a share of the model's [default: 0.005].")
    price_tier: Literal["low", "typical", "high"] | None = Field(
        None, description="Which catalogue GPU price to use: low (reserved/marketplace), typical (specialist "
        "cloud), high (hyperscaler on-demand) [default: typical].")
    gpu: str | None = None
    gpu_count: PositiveCount | None = None
    gpu_hour_usd: NonNegative | None = None
    mfu: OpenRate | None = None
    training_budget_usd: NonNegative | None = None
    inference: Inference | None = None
    gpus: list[GpuSpec] | None = Field(None, description="Extra or overriding GPU catalogue rows.")


class RevenueQuality(Section):
    top_customer_share: Rate | None = Field(None, description="Largest customer's share of revenue.")
    top5_share: Rate | None = Field(None, description="Five largest customers' share of revenue.")
    receivable_days: NonNegative | None = Field(None, description="Days sales outstanding.")
    related_party_share: Rate | None = Field(None, description="Revenue from related parties, as a share.")
    discounts_refunds_share: Rate | None = Field(
        None, description="Discounts, refunds and returns as a share of gross revenue.")


class Business(Section):
    # Per customer: the unit economics of one account.
    price_per_customer_month: NonNegative | None = None
    cac: NonNegative | None = Field(None, description="Customer acquisition cost.")
    monthly_churn: Rate | None = None
    other_cogs_per_customer_month: NonNegative | None = None
    customers_now: Count | None = Field(None, description="Paying customers today.")
    # Company level: what companies disclose. Amounts are in the project's currency.
    revenue_12m: NonNegative | None = Field(None, description="Revenue over the last 12 months.")
    revenue_prior_12m: NonNegative | None = Field(None, description="Revenue over the 12 months before those.")
    arr_now: NonNegative | None = Field(None, description="Annualised revenue run-rate today (ARR).")
    net_new_arr_12m: SignedAmount | None = None
    recurring_share: Rate | None = Field(None, description="Recurring share of revenue (against one-off/project).")
    revenue_audited: bool | None = Field(None, description="The revenue figures are audited.")
    gross_margin: Annotated[float, BeforeValidator(parse_rate), Field(ge=-10, le=1)] | None = Field(
        None, description="Company gross margin as a fraction (may be negative).")
    cogs_12m: NonNegative | None = Field(None, description="Cost of revenue over the last 12 months.")
    inference_cogs_12m: NonNegative | None = Field(
        None, description="The inference / compute part of cost of revenue over the last 12 months.")
    opex_12m: NonNegative | None = Field(None, description="Operating expenses over the last 12 months.")
    cash: NonNegative | None = None
    monthly_burn: SignedMoney | None = Field(None, description="Net cash burned a month; negative = cash-generative.")
    raised_to_date: NonNegative | None = Field(None, description="Equity raised to date.")
    last_valuation: NonNegative | None = Field(None, description="Post-money valuation of the last round.")
    debt: NonNegative | None = None
    covenants_met: bool | None = Field(None, description="Debt covenants are met (false = in breach).")
    headcount: Count | None = None
    revenue_quality: RevenueQuality | None = None


class Users(Section):
    monthly_active: Count | None = Field(None, description="Monthly active users.")
    paid_conversion: Rate | None = Field(None, description="Share of active users who pay.")
    free_user_cost_month: NonNegative | None = Field(
        None, description="Cost of serving one free user for a month (inference and hosting).")


class Hardware(Section):
    device_price: NonNegative | None = None
    unit_cost: NonNegative | None = Field(None, description="Landed cost of one device.")
    return_rate: Rate | None = None
    units_sold_12m: Count | None = None
    units_planned_12m: Count | None = Field(None, description="Units the plan called for over the same 12 months.")


class ModelVendor(Section):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    cogs_share: Rate | None = Field(None, description="This vendor's share of cost of revenue.")
    competes: bool | None = Field(None, description="The vendor sells a product that competes with this one.")


class ComputeProvider(Section):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    share_of_compute_spend: Rate | None = None


class Dependencies(Section):
    model_vendors: list[ModelVendor] | None = None
    compute_provider: ComputeProvider | None = None


class Risk(Section):
    kind: Literal[RISK_KINDS]  # type: ignore[valid-type]
    status: Literal["open", "pending", "resolved"] = "open"
    severity: Literal["low", "medium", "high", "critical"] = "medium"
    description: Annotated[str, Field(max_length=2000)] | None = None


def _iso_date(value: Any) -> Any:
    import datetime as dt

    return value.isoformat() if isinstance(value, dt.date) else value


class Fx(Section):
    usd_per_unit: Positive = Field(description="US dollars for one unit of the project currency.")
    as_of: Annotated[str, BeforeValidator(_iso_date), Field(pattern=r"^\d{4}-\d{2}-\d{2}$")] | None = Field(
        None, description="Date of the rate, YYYY-MM-DD.")
    source: str | None = None


class Project(Section):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    tagline: str | None = None
    stage: Stage | None = Field(None, description="idea | pre-seed | seed | series-a | series-b | series-c (or later) "
                                "| growth | pre-ipo | public")
    currency: Annotated[str, BeforeValidator(_currency_code), Field(pattern=r"^[A-Z]{3}$")] = "USD"
    fx: Fx | None = Field(None, description="Rate to USD; defaults to the bundled, dated reference table.")
    language: Literal["en", "zh"] | None = Field(
        None, description="Report language: en (default) or zh (简体中文); --lang overrides it.")
    country: Annotated[str, BeforeValidator(lambda v: v.strip().upper() if isinstance(v, str) else v),
                       Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        None, description="Where the venture operates (ISO 3166-1 alpha-2, e.g. CN, US): GPU export controls apply.")
    market: Market = Field(default_factory=Market)
    tech: Tech = Field(default_factory=Tech)
    data: Data = Field(default_factory=Data)
    compute: Compute = Field(default_factory=Compute)
    business: Business = Field(default_factory=Business)
    users: Users | None = None
    hardware: Hardware | None = None
    dependencies: Dependencies | None = None
    risks: list[Risk] | None = None


class LoadedProject(BaseModel):
    """A validated project with where it came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    project: Project
    path: Path
    warnings: list[str] = []
    lines: dict[tuple, int] = {}
    distributions: list[Any] = []  # ranges on inputs (assess.ranges.Distribution); the project holds their medians
    allow_data_outside: bool = False  # the analyst said so on the command line (--allow-data-outside)
    data_override: Path | None = None  # a dataset the analyst named on the command line (--data): trusted

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def locate(self, error: UserError) -> UserError:
        """Attach this file and the line of each problem's field to problems raised by an engine."""
        located = []
        for p in error.problems:
            loc = field_path(p.field or "")
            located.append(Problem(p.message, file=p.file or str(self.path), line=p.line or line_for(self.lines, loc),
                                   field=p.field))
        return UserError(located)

    def dataset_path(self) -> Path | None:
        """The dataset, symlinks followed. A founder's data.path must resolve inside the project file's folder
        (the data-path rule), unless the analyst passed --allow-data-outside or named the dataset with --data."""
        if self.data_override is not None:
            return self.data_override
        if not self.project.data.path:
            return None
        from .dataset import is_inside, path_problem

        line = line_for(self.lines, ("data", "path"))
        try:
            resolved = Path(os.path.realpath(self.base_dir / self.project.data.path))
            try:
                os.stat(resolved)  # a link loop or an over-long name raises here
            except (FileNotFoundError, NotADirectoryError):
                pass  # load_project reports a missing dataset
        except (OSError, ValueError) as exc:
            problem = path_problem(exc, str(self.path)).problems[0]
            raise UserError(Problem(problem.message, file=str(self.path), line=line, field="data.path")) from None
        root = os.path.realpath(self.base_dir)
        if not self.allow_data_outside and not is_inside(resolved, root):
            raise UserError(Problem(f"expected a dataset inside the project folder {root}, got {resolved}; a "
                                    "project may not read files elsewhere (the analyst can pass --data PATH or "
                                    "--allow-data-outside)", file=str(self.path), line=line, field="data.path"))
        return resolved


def field_path(dotted: str) -> tuple[str | int, ...]:
    """'tech.evals.0.value' → ('tech', 'evals', 0, 'value'): a field as named in messages, as a YAML location."""
    return tuple(int(part) if part.isdigit() else part for part in dotted.split(".") if part)


def describe_error(err: Any) -> str:  # a pydantic ErrorDetails
    """One pydantic error as 'expected …, got …'."""
    kind = err["type"]
    ctx = err.get("ctx") or {}
    got = err.get("input")
    shown = repr(got) if not isinstance(got, (dict, list)) else type(got).__name__
    if kind == "missing":
        return "required field is missing"
    if kind == "literal_error":
        return f"expected one of {ctx.get('expected')}, got {shown}"
    if kind in {"greater_than_equal", "greater_than", "less_than_equal", "less_than"}:
        op = {"greater_than_equal": "≥", "greater_than": ">", "less_than_equal": "≤", "less_than": "<"}[kind]
        bound = next(iter(ctx.values()), "")
        bound = f"{bound:,g}".replace("e+", "e") if isinstance(bound, (int, float)) else bound
        return f"expected a number {op} {bound}, got {shown}"
    if kind == "value_error":
        return str(ctx.get("error", err["msg"]))
    if kind.startswith(("float", "int")):
        return f"expected a number, got {shown}"
    if kind.startswith("bool"):
        return f"expected true or false, got {shown}"
    if kind.startswith("string"):
        return f"{err['msg'].lower()}, got {shown}"
    if kind in {"model_type", "model_attributes_type", "dict_type"}:
        return f"expected a mapping of fields, got {shown}"
    if kind == "list_type":
        return f"expected a list, got {shown}"
    return f"{err['msg']} (got {shown})"


def _model_keys(model: type[BaseModel]) -> dict[str, Any]:
    return dict(model.model_fields)


def _sub_model(annotation: Any) -> type[BaseModel] | None:
    """The BaseModel inside Optional[...] / list[...] annotations, if any."""
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _sub_model(arg)
        if found:
            return found
    return None


def unknown_fields(data: Any, model: type[BaseModel], path: tuple = ()) -> list[tuple[tuple, str, str | None]]:
    """Keys the schema does not know, with a did-you-mean suggestion."""
    found: list[tuple[tuple, str, str | None]] = []
    if isinstance(data, list):
        for i, item in enumerate(data):
            found += unknown_fields(item, model, (*path, i))
        return found
    if not isinstance(data, dict):
        return found
    fields = _model_keys(model)
    for key, value in data.items():
        if key not in fields:
            hint = suggest(str(key), list(fields)) if len(found) < MAX_UNKNOWN_WARNINGS else None  # only shown ones
            found.append(((*path, key), str(key), hint))
            continue
        sub = _sub_model(fields[key].annotation)
        if sub is not None:
            found += unknown_fields(value, sub, (*path, key))
    return found


def validation_problems(exc: ValidationError, lines: dict, file: str) -> list[Problem]:
    """Each pydantic error as a Problem located at the line of its field."""
    problems = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        problems.append(Problem(describe_error(err), file=file, line=line_for(lines, loc),
                                field=".".join(map(str, loc)) or "(top level)"))
    return problems


def _model_value(model: Any, loc: tuple) -> Any:
    """The validated value at a raw-data location, or None where the model has none."""
    for key in loc:
        if isinstance(key, int):
            model = model[key] if isinstance(model, list) and key < len(model) else None
        else:
            model = getattr(model, str(key), None) if isinstance(model, BaseModel) else None
        if model is None:
            return None
    return model


def _converted(value: float, marks: tuple[str, ...], expected: str, project: Project) -> str:
    """', about CNY 2,049,000,000 at the bundled rates of …' when one rate pair converts the amount."""
    from .fx import rate_problem, resolve_rate

    fx = project.fx if expected == project.currency else None  # a _usd field converts at no stated rate
    if len(marks) != 1 or rate_problem(marks[0], None) or rate_problem(expected, fx):
        return ""
    source, target = resolve_rate(marks[0]), resolve_rate(expected, fx)
    return f", about {expected} {value * source.usd_per_unit / target.usd_per_unit:,.0f} at the rates of " \
           f"{target.as_of or source.as_of}"


def currency_mark_problems(data: Any, project: Project, loc: tuple = ()) -> list[tuple[tuple, str]]:
    """Amounts whose written mark names another currency than the field's: "$5M" in a CNY project, "¥3亿" in
    a USD one. Fields named *_usd… are in US dollars whatever the project's currency."""
    from .numbers import currency_marks

    found: list[tuple[tuple, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            found += currency_mark_problems(value, project, (*loc, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += currency_mark_problems(value, project, (*loc, index))
    else:
        marks = currency_marks(data)
        value = _model_value(project, loc) if marks is not None else None
        if marks is not None and isinstance(value, (int, float)) and not isinstance(value, bool):
            field = str(loc[-1])
            expected = "USD" if "usd" in field.lower() else project.currency
            if expected not in marks:
                written = " or ".join(marks) if marks else "two currencies at once"
                found.append((loc, f"{data!r} is written in {written}, but this field is in {expected}; write the "
                                   f"amount in {expected}{_converted(value, marks, expected, project)} "
                                   "(or drop the currency mark)"))
    return found


def cross_field_problems(project: Project) -> list[tuple[tuple, str]]:
    """Rules that involve more than one field: (location, message) pairs."""
    found: list[tuple[tuple, str]] = []
    m = project.market
    if m.som is not None and m.sam is not None and m.som > m.sam:
        found.append((("market", "som"), f"expected som ≤ sam ({m.sam:,.0f}), got {m.som:,.0f}"))
    if m.sam is not None and m.tam is not None and m.sam > m.tam:
        found.append((("market", "sam"), f"expected sam ≤ tam ({m.tam:,.0f}), got {m.sam:,.0f}"))
    elif m.som is not None and m.tam is not None and m.som > m.tam:
        found.append((("market", "som"), f"expected som ≤ tam ({m.tam:,.0f}), got {m.som:,.0f}"))
    c = project.compute
    if c.active_params and c.model_params and c.active_params > c.model_params:
        found.append((("compute", "active_params"), "expected active_params ≤ model_params"))
    if c.heads and c.kv_heads and c.kv_heads > c.heads:
        found.append((("compute", "kv_heads"), f"expected kv_heads ≤ heads ({c.heads}), got {c.kv_heads}"))
    b = project.business
    q = b.revenue_quality
    if q and q.top_customer_share is not None and q.top5_share is not None and q.top5_share < q.top_customer_share:
        found.append((("business", "revenue_quality", "top5_share"),
                      f"expected top5_share ≥ top_customer_share ({q.top_customer_share:g}), got {q.top5_share:g}"))
    if b.inference_cogs_12m is not None and b.cogs_12m is not None and b.inference_cogs_12m > b.cogs_12m:
        found.append((("business", "inference_cogs_12m"),
                      f"expected inference_cogs_12m ≤ cogs_12m ({b.cogs_12m:,.0f})"))
    vendors = (project.dependencies.model_vendors or []) if project.dependencies else []
    if sum(v.cogs_share or 0 for v in vendors) > 1.0001:
        found.append((("dependencies", "model_vendors"), "expected the vendors' cogs_share to add up to at most 1"))
    hw = project.hardware
    if hw and hw.units_planned_12m == 0 and hw.units_sold_12m:
        found.append((("hardware", "units_planned_12m"), "expected a plan above zero when units were sold"))
    from .fx import rate_problem

    problem = rate_problem(project.currency, project.fx)
    if problem:
        found.append((("currency",), problem))
    if b.arr_now and b.customers_now == 0:
        found.append((("business", "customers_now"), "arr_now is above zero but customers_now is 0"))
    if project.data.target and project.data.drop_columns and project.data.target in project.data.drop_columns:
        found.append((("data", "drop_columns"), f"the target column '{project.data.target}' cannot be dropped"))
    return found


def validate_project(data: Any, lines: dict, file: str) -> tuple[Project, list[str]]:
    """Validate parsed YAML; raise UserError with one Problem per error."""
    if data is None:
        raise UserError(Problem("file is empty; expected a mapping with at least 'name'", file=file, line=1))
    if not isinstance(data, dict):
        raise UserError(Problem(f"expected a mapping at the top level, got {type(data).__name__}", file=file, line=1))
    try:
        project = Project.model_validate(data)
    except ValidationError as exc:
        raise UserError(validation_problems(exc, lines, file)) from None
    problems = [Problem(msg, file=file, line=line_for(lines, loc), field=".".join(map(str, loc)))
                for loc, msg in cross_field_problems(project) + currency_mark_problems(data, project)]
    if problems:
        raise UserError(problems)
    warnings = []
    unknown = unknown_fields(data, Project)
    for loc, key, suggestion in unknown[:MAX_UNKNOWN_WARNINGS]:
        dotted = ".".join(str(p) for p in loc)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        warnings.append(str(Problem(f"unknown field '{key}' ignored{hint}", file=file,
                                    line=line_for(lines, loc), field=dotted)))
    if len(unknown) > MAX_UNKNOWN_WARNINGS:
        warnings.append(str(Problem(f"… and {len(unknown) - MAX_UNKNOWN_WARNINGS:,} more unknown fields ignored",
                                    file=file)))
    return project, warnings


def load_project(path: str | Path, *, allow_data_outside: bool = False,
                 data_override: str | Path | None = None) -> LoadedProject:
    """Load and validate project.yaml. Raises UserError listing every problem found.

    `allow_data_outside` and `data_override` (a dataset named on the command line) come from the analyst only."""
    from .ranges import extract

    path = Path(path)
    data, lines = load_yaml(path)
    distributions, problems = extract(data, Project, lines, str(path)) if isinstance(data, dict) else ([], [])
    if problems:
        raise UserError(problems)
    project, warnings = validate_project(data, lines, str(path))
    marks = [Problem(message, file=str(path), line=d.line, field=f"{d.field}.{name}")
             for d in distributions for name, raw in d.written
             for _, message in currency_mark_problems(raw, project, d.path)]
    if marks:
        raise UserError(marks)
    loaded = LoadedProject(project=project, path=path.resolve(), warnings=warnings, lines=lines,
                           distributions=distributions, allow_data_outside=allow_data_outside,
                           data_override=Path(os.path.abspath(data_override)) if data_override else None)
    try:  # dataset_path() raises located errors itself; this catches anything it lets through
        dataset = loaded.dataset_path()
        missing = dataset is not None and not dataset.exists()
    except (OSError, RuntimeError, ValueError) as exc:  # a symlink loop, an over-long name
        raise dataset_path_problem(exc, str(path), line_for(lines, ("data", "path"))) from None
    if missing:
        raise UserError(Problem(f"dataset file not found: {dataset}", file=str(path),
                                line=line_for(lines, ("data", "path")), field="data.path"))
    return loaded


def json_schema() -> dict[str, Any]:
    """The schema of project.yaml, where every number may also be one of the range forms (assess.ranges)."""
    from .ranges import schema_forms

    schema = Project.model_json_schema()
    forms = schema_forms()
    defs = schema.setdefault("$defs", {})
    defs.update(forms)
    refs = [{"$ref": f"#/$defs/{name}"} for name in forms]

    def widen(node: Any, refused: bool) -> None:
        if isinstance(node, dict):
            for key, value in list(node.get("properties", {}).items()):
                if not refused and _is_number(value):
                    node["properties"][key] = {**{k: v for k, v in value.items() if k in ("title", "description",
                                                                                         "default")},
                                               "anyOf": [{k: v for k, v in value.items()
                                                          if k not in ("title", "description", "default")}, *refs]}
                else:
                    widen(value, refused)
    for name, definition in defs.items():
        if name not in forms:
            widen(definition, refused=name in ("Data", "Datasheet", "Fx"))  # measured or published: no ranges
    widen(schema, refused=False)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assess project.yaml"
    return schema


def _is_number(node: Any) -> bool:
    """A property whose values are numbers (possibly nullable)."""
    if not isinstance(node, dict):
        return False
    if node.get("type") in ("number", "integer"):
        return True
    options = node.get("anyOf") or []
    return any(o.get("type") in ("number", "integer") for o in options) and all(
        o.get("type") in ("number", "integer", "null") for o in options)
