"""Rubric models and loading: bundled rubrics, optionally overridden or extended from a user directory."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from .errors import Problem, UserError, suggest
from .i18n import LANGUAGES, gettext
from .project import validation_problems
from .resources import bundled_dir, sha256_file
from .yamlload import line_for, load_yaml

AREAS = ("market", "tech", "data", "compute", "business", "risk")
STAGES = ("idea", "pre-seed", "seed", "series-a", "series-b", "series-c", "growth", "pre-ipo", "public")
NEEDS = ("labelled_data", "hardware", "users", "debt", "revenue", "model_vendor", "training", "self_hosted_model")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")


class Translatable(BaseModel):
    """A rubric element whose display text may come in several languages: `question: {en: …, zh: …}`.

    The English text stays in the field itself (what scoring, ids and the English report use); the others go to
    `translations`, language → field → text. Each translation must carry the same {placeholders} as the English."""

    _translatable: ClassVar[tuple[str, ...]] = ()
    translations: dict[str, dict[str, str]] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _split_languages(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        found: dict[str, dict[str, str]] = {}
        for name in cls._translatable:
            value = data.get(name)
            if not isinstance(value, dict):
                continue
            unknown = sorted(str(k) for k in value if k not in LANGUAGES)
            if unknown:
                raise ValueError(f"{name}: unknown language {', '.join(unknown)}; supported: {', '.join(LANGUAGES)}")
            english = value.get("en")
            if not isinstance(english, str):
                raise ValueError(f"{name}: the English text (en) is required")
            wanted = sorted(set(_PLACEHOLDER.findall(english)))
            for lang, text in value.items():
                if not isinstance(text, str):
                    raise ValueError(f"{name}.{lang}: expected text")
                got = sorted(set(_PLACEHOLDER.findall(text)))
                if got != wanted:
                    raise ValueError(f"{name}.{lang}: placeholders {', '.join(got) or 'none'} do not match the English "
                                     f"text's {', '.join(wanted) or 'none'}")
                if lang != "en":
                    found.setdefault(lang, {})[name] = text
            data[name] = english
        if found:
            data["translations"] = found
        return data

    def text(self, name: str, lang: str) -> str | None:
        """The field in `lang`; None when that translation is missing (the English is in the field)."""
        english = getattr(self, name)
        if lang == "en" or english is None:
            return english
        return self.translations.get(lang, {}).get(name)


class Band(Translatable):
    """A score band: every condition given must hold. Bands are tried in order; the first match wins."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    _translatable = ("label",)
    score: float = Field(ge=0, le=5)
    gte: float | None = None
    gt: float | None = None
    lte: float | None = None
    lt: float | None = None
    equals: bool | str | float | None = None
    in_: list[Any] | None = Field(None, alias="in")
    label: str | None = None

    def matches(self, value: Any) -> bool:
        if self.equals is not None and value != self.equals:
            return False
        if self.in_ is not None and value not in self.in_:
            return False
        numeric = (self.gte, self.gt, self.lte, self.lt)
        if any(bound is not None for bound in numeric):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                return False
            if self.gte is not None and not value >= self.gte:
                return False
            if self.gt is not None and not value > self.gt:
                return False
            if self.lte is not None and not value <= self.lte:
                return False
            if self.lt is not None and not value < self.lt:
                return False
        return True

    def scaled(self, factor: float) -> Band:
        """This band with its numeric bounds multiplied (USD thresholds in another currency)."""
        if factor == 1.0:
            return self
        return self.model_copy(update={k: getattr(self, k) * factor for k in ("gte", "gt", "lte", "lt")
                                       if getattr(self, k) is not None})

    def describe(self, currency: str | None = None, lang: str = "en") -> str:
        if self.label and currency is None:
            return self.text("label", lang) or self.label
        if lang != "en":
            return self._describe_zh(currency)
        parts = []
        for symbol, bound in (("≥", self.gte), (">", self.gt), ("≤", self.lte), ("<", self.lt)):
            if bound is not None:
                parts.append(f"{symbol} {currency + ' ' if currency else ''}{_short(bound)}")
        if self.equals is not None:
            parts.append(f"= {str(self.equals).lower() if isinstance(self.equals, bool) else self.equals}")
        if self.in_ is not None:
            parts.append("one of " + ", ".join(map(str, self.in_)))
        return " and ".join(parts) or "otherwise"

    def _describe_zh(self, currency: str | None) -> str:
        from .report.format import human_zh, money_zh

        parts = []
        for symbol, bound in (("≥", self.gte), (">", self.gt), ("≤", self.lte), ("<", self.lt)):
            if bound is not None:
                parts.append(f"{symbol} {money_zh(bound, currency) if currency else human_zh(bound)}")
        if self.equals is not None:
            shown = ("是" if self.equals else "否") if isinstance(self.equals, bool) else self.equals
            parts.append(f"= {shown}")
        if self.in_ is not None:
            parts.append("为 " + "、".join(map(str, self.in_)) + " 之一")
        return "，且 ".join(parts) or "其他情况"


def _short(number: float) -> str:
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(number) >= size:
            return f"{number / size:g}{suffix}"
    return f"{number:g}"


class RedFlag(Translatable):
    model_config = ConfigDict(extra="forbid")
    _translatable = ("message",)
    at_most: float = Field(ge=0, le=5, description="A score at or below this raises the red flag.")
    message: str
    fatal: bool = Field(False, description="The flag sets the verdict to 'Not yet feasible' at any coverage.")
    caps: bool = Field(True, description="The flag caps the verdict at 'Needs work'; false makes it a warning that "
                       "the report shows without lowering the verdict (a risk to watch, not a defect).")


class StageRange(BaseModel):
    """Stages from `from` to `until`, both included; either end may be open."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    from_: Literal[STAGES] | None = Field(None, alias="from")  # type: ignore[valid-type]
    until: Literal[STAGES] | None = None  # type: ignore[valid-type]

    def contains(self, stage: str | None) -> bool | None:
        """None when the stage is unknown."""
        if stage is None:
            return None
        i = STAGES.index(stage)
        return (self.from_ is None or i >= STAGES.index(self.from_)) and (
            self.until is None or i <= STAGES.index(self.until))

    def describe(self) -> str:
        if self.from_ and self.until:
            return f"{self.from_} to {self.until}"
        return f"from {self.from_}" if self.from_ else f"until {self.until}"


class StageBands(StageRange):
    bands: list[Band] = Field(min_length=1)


class Criterion(Translatable):
    model_config = ConfigDict(extra="forbid")
    _translatable = ("question", "advice", "target")
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    question: str
    fact: str
    weight: float = Field(gt=0)
    bands: list[Band] = Field(min_length=1)
    target: str | None = Field(None, description="Human-readable threshold for a good score.")
    red_flag: RedFlag | None = None
    advice: str
    source: str
    usd: bool = Field(False, description="Numeric bounds are US dollars, converted to the project's currency.")
    applies: StageRange | None = Field(None, description="Stages at which the criterion is judged.")
    stage_bands: list[StageBands] | None = Field(None, description="Bands for some stages; the first match wins.")
    needs: list[Literal[NEEDS]] = Field(  # type: ignore[valid-type]
        default_factory=list, description="Not applicable when the venture is known not to have these.")
    key: bool | StageRange = Field(False, description="A must-know at these stages (true: every stage).")

    def bands_for(self, stage: str | None) -> list[Band]:
        for entry in self.stage_bands or ():
            if entry.contains(stage):
                return entry.bands
        return self.bands

    def is_key(self, stage: str | None) -> bool:
        if isinstance(self.key, bool):
            return self.key
        return bool(self.key.contains(stage))


class Rubric(Translatable):
    model_config = ConfigDict(extra="forbid")
    _translatable = ("title", "description")
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    title: str
    version: str
    weight: float = Field(gt=0, default=1.0)
    description: str = ""
    criteria: list[Criterion] = Field(min_length=1)
    # Set by the loader, not by the YAML author.
    path: str = ""
    sha256: str = ""

    @model_validator(mode="after")
    def _unique_ids(self) -> Rubric:
        ids = [c.id for c in self.criteria]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"duplicate criterion ids: {', '.join(dupes)}")
        return self

    def target_for(self, criterion: Criterion, stage: str | None = None, factor: float = 1.0,
                   currency: str | None = None, lang: str = "en") -> str:
        """What a good score needs, with USD bounds shown in the project's currency where they differ."""
        bands = criterion.bands_for(stage)
        good = [b for b in bands if b.score >= 4]
        band = good[-1] if good else bands[0]
        if criterion.usd and currency and currency != "USD":
            return band.scaled(factor).describe(currency, lang) + f" (= {band.describe('USD', lang)})"
        if criterion.stage_bands and stage is not None:
            shown = band.describe("USD" if criterion.usd else None, lang)
            return shown + (f" at {stage}" if lang == "en" else f"（{gettext(stage, lang)}）")
        return (criterion.text("target", lang) or criterion.target) or band.describe(lang=lang)


_PARSED: dict[tuple, Rubric] = {}  # (path, size, mtime, checked) → the parsed rubric, for runs in one process


def load_rubric_file(path: Path, known_facts: set[str] | None) -> Rubric:
    """A rubric file, parsed once per process while it is unchanged (a batch runs many projects per worker);
    each caller gets its own copy."""
    try:
        info = path.stat()
        key: tuple | None = (str(path.resolve()), info.st_size, info.st_mtime_ns, known_facts is None)
    except OSError:
        key = None
    if key is not None and key in _PARSED:
        return _PARSED[key].model_copy(deep=True)
    rubric = _parse_rubric_file(path, known_facts)
    if key is not None:
        _PARSED[key] = rubric.model_copy(deep=True)
    return rubric


def _parse_rubric_file(path: Path, known_facts: set[str] | None) -> Rubric:
    data, lines = load_yaml(path)
    file = str(path)
    if not isinstance(data, dict):
        raise UserError(Problem("expected a rubric mapping with id, title, version and criteria", file=file, line=1))
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        raise UserError(validation_problems(exc, lines, file)) from None
    if known_facts is not None:
        problems = []
        for i, criterion in enumerate(rubric.criteria):
            if criterion.fact not in known_facts:
                close = suggest(criterion.fact, known_facts)
                hint = f"; did you mean '{close}'?" if close else "; run 'assess rubrics --facts' for the list"
                problems.append(Problem(f"unknown fact '{criterion.fact}'{hint}", file=file,
                                        line=line_for(lines, ("criteria", i, "fact")), field=f"criteria.{i}.fact"))
        if problems:
            raise UserError(problems)
    rubric.path = file
    rubric.sha256 = sha256_file(path)
    return rubric


def load_rubrics(user_dir: str | Path | None = None, *, check_facts: bool = True) -> list[Rubric]:
    """Bundled rubrics, with any rubric of the same id in user_dir replacing it and new ids added."""
    from .facts import known_fact_names

    known = known_fact_names() if check_facts else None
    files: dict[str, Path] = {p.stem: p for p in sorted(bundled_dir("rubrics").glob("*.yaml"))}
    if user_dir is not None:
        user_dir = Path(user_dir)
        if not user_dir.is_dir():
            raise UserError(Problem("rubrics directory not found", file=str(user_dir)))
        extra = sorted(user_dir.glob("*.yaml")) + sorted(user_dir.glob("*.yml"))
        if not extra:
            raise UserError(Problem("no *.yaml rubric files in this directory", file=str(user_dir)))
        for p in extra:
            files[p.stem] = p
    rubrics = []
    problems: list[Problem] = []
    for stem, path in files.items():
        try:
            rubric = load_rubric_file(path, known)
        except UserError as exc:
            problems += exc.problems
            continue
        if rubric.id != stem:
            problems.append(Problem(f"rubric id '{rubric.id}' must match the file name '{stem}'",
                                    file=str(path), field="id"))
        rubrics.append(rubric)
    if problems:
        raise UserError(problems)
    order = {area: i for i, area in enumerate(AREAS)}
    return sorted(rubrics, key=lambda r: (order.get(r.id, len(order)), r.id))
