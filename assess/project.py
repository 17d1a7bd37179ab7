"""The pydantic models of project.yaml, and loading with file/line/field error messages.

Numbers may be written plainly (5000000, 5.0e6) or as strings a person would type: "5e6", "1,000,000",
"1_000", "$5M", "2.5k", "1.2B", "3T". Rates (churn, growth, MFU) also accept "5%". Anything else is an error.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from .errors import Problem, UserError, suggest
from .numbers import parse_number, parse_rate
from .yamlload import line_for, load_yaml

NonNegative = Annotated[float, BeforeValidator(parse_number), Field(ge=0)]
Positive = Annotated[float, BeforeValidator(parse_number), Field(gt=0)]
Count = Annotated[int, BeforeValidator(parse_number), Field(ge=0)]
PositiveCount = Annotated[int, BeforeValidator(parse_number), Field(ge=1)]
Rate = Annotated[float, BeforeValidator(parse_rate), Field(ge=0, le=1)]
OpenRate = Annotated[float, BeforeValidator(parse_rate), Field(gt=0, le=1)]
GrowthRate = Annotated[float, BeforeValidator(parse_rate), Field(ge=-1, le=100)]


class Section(BaseModel):
    # Unknown keys are reported as warnings with a did-you-mean (see unknown_fields), not silently kept.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)


class Competitor(Section):
    name: str
    strength: Literal["weak", "moderate", "strong", "dominant"] | None = None


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
    metric: Literal["accuracy", "balanced_accuracy", "f1_macro", "roc_auc", "r2", "mae", "rmse"]
    value: float


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
    base_model: str | None = None
    target: Target | None = None
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
    path: str | None = Field(None, description="Dataset file, relative to project.yaml.")
    target: str | None = None
    text_columns: list[str] | None = None
    drop_columns: list[str] | None = None
    source: Literal["proprietary", "licensed", "public", "scraped", "synthetic"] | None = None
    license: str | None = None
    commercial_use_allowed: bool | None = None
    personal_data: bool | None = None
    consent: bool | None = None
    datasheet: Datasheet | None = None


class Inference(Section):
    requests_per_month: NonNegative | None = None
    input_tokens: NonNegative | None = Field(None, description="Input tokens per request.")
    output_tokens: NonNegative | None = Field(None, description="Output tokens per request.")
    precision: Literal["fp32", "bf16", "fp16", "fp8", "int8", "int4"] | None = None
    gpu: str | None = Field(None, description="Serving GPU, if different from compute.gpu.")
    batch_size: PositiveCount | None = None
    peak_to_average: Annotated[float, BeforeValidator(parse_number), Field(ge=1)] | None = None
    api_input_usd_per_1m: NonNegative | None = Field(None, description="Hosted-API price per 1M input tokens.")
    api_output_usd_per_1m: NonNegative | None = Field(None, description="Hosted-API price per 1M output tokens.")


class GpuSpec(Section):
    name: str
    memory_gb: Positive
    bandwidth_gbs: Positive
    bf16_tflops: Positive
    fp8_tflops: Positive | None = None
    usd_per_hour: NonNegative | None = None


class Compute(Section):
    base_model: str | None = None
    model_params: Positive | None = None
    active_params: Positive | None = None
    layers: PositiveCount | None = None
    hidden_size: PositiveCount | None = None
    heads: PositiveCount | None = None
    kv_heads: PositiveCount | None = None
    head_dim: PositiveCount | None = None
    context_length: PositiveCount | None = None
    training_tokens: Positive | None = None
    training_type: Literal["none", "lora", "qlora", "full", "pretrain"] | None = None
    gpu: str | None = None
    gpu_count: PositiveCount | None = None
    gpu_hour_usd: NonNegative | None = None
    mfu: OpenRate | None = None
    training_budget_usd: NonNegative | None = None
    inference: Inference | None = None
    gpus: list[GpuSpec] | None = Field(None, description="Extra or overriding GPU catalogue rows.")


class Business(Section):
    price_per_customer_month: NonNegative | None = None
    cac: NonNegative | None = Field(None, description="Customer acquisition cost.")
    monthly_churn: Rate | None = None
    other_cogs_per_customer_month: NonNegative | None = None
    customers_now: Count | None = None
    arr_now: NonNegative | None = None
    net_new_arr_12m: Annotated[float, BeforeValidator(parse_number)] | None = None
    cash: NonNegative | None = None
    monthly_burn: NonNegative | None = None


class Project(Section):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    tagline: str | None = None
    stage: Literal["idea", "pre-seed", "seed", "series-a", "growth"] | None = None
    currency: Annotated[str, Field(pattern=r"^[A-Z]{3}$")] = "USD"
    market: Market = Field(default_factory=Market)
    tech: Tech = Field(default_factory=Tech)
    data: Data = Field(default_factory=Data)
    compute: Compute = Field(default_factory=Compute)
    business: Business = Field(default_factory=Business)


class LoadedProject(BaseModel):
    """A validated project with where it came from."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    project: Project
    path: Path
    warnings: list[str] = []
    lines: dict[tuple, int] = {}
    allow_data_outside: bool = False  # the analyst said so on the command line (--allow-data-outside)
    data_override: Path | None = None  # a dataset the analyst named on the command line (--data): trusted

    @property
    def base_dir(self) -> Path:
        return self.path.parent

    def locate(self, error: UserError) -> UserError:
        """Attach this file and the line of each problem's field to problems raised by an engine."""
        located = []
        for p in error.problems:
            loc = tuple(int(part) if part.isdigit() else part for part in (p.field or "").split(".") if part)
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


def describe_error(err: dict[str, Any]) -> str:
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
            found.append(((*path, key), str(key), suggest(str(key), list(fields))))
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


def cross_field_problems(project: Project) -> list[tuple[tuple, str]]:
    """Rules that involve more than one field: (location, message) pairs."""
    found = []
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
                for loc, msg in cross_field_problems(project)]
    if problems:
        raise UserError(problems)
    warnings = []
    for loc, key, suggestion in unknown_fields(data, Project):
        dotted = ".".join(str(p) for p in loc)
        hint = f"; did you mean '{suggestion}'?" if suggestion else ""
        warnings.append(str(Problem(f"unknown field '{key}' ignored{hint}", file=file,
                                    line=line_for(lines, loc), field=dotted)))
    return project, warnings


def load_project(path: str | Path, *, allow_data_outside: bool = False,
                 data_override: str | Path | None = None) -> LoadedProject:
    """Load and validate project.yaml. Raises UserError listing every problem found.

    `allow_data_outside` and `data_override` (a dataset named on the command line) come from the analyst only."""
    path = Path(path)
    data, lines = load_yaml(path)
    project, warnings = validate_project(data, lines, str(path))
    loaded = LoadedProject(project=project, path=path.resolve(), warnings=warnings, lines=lines,
                           allow_data_outside=allow_data_outside,
                           data_override=Path(os.path.abspath(data_override)) if data_override else None)
    dataset = loaded.dataset_path()
    if dataset is not None and not dataset.exists():
        raise UserError(Problem(f"dataset file not found: {dataset}", file=str(path),
                                line=line_for(lines, ("data", "path")), field="data.path"))
    return loaded


def json_schema() -> dict[str, Any]:
    schema = Project.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "assess project.yaml"
    return schema
