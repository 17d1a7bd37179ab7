"""The display layer of the result in the report's language. Scores, ids, facts and JSON keys never change.

English is the source: an English result is what scoring produced, plus `language` and `overall.verdict_label`.
For another language the rubric text (title, question, advice, target, red-flag message, band labels) comes from
the rubric YAML's translations, falling back to English (with one warning naming the rubrics); messages that
assess itself writes (verdicts, not-applicable reasons, the verdict's basis) come from the gettext catalogue.
"""

from __future__ import annotations

from typing import Any

from .i18n import DEFAULT, gettext, translate
from .rubrics import Criterion, Rubric


class Localiser:
    def __init__(self, rubrics: list[Rubric], lang: str):
        self.lang = lang
        self.rubrics = {r.id: r for r in rubrics}
        self.criteria: dict[tuple[str, str], Criterion] = {(r.id, c.id): c for r in rubrics for c in r.criteria}
        self.untranslated: set[str] = set()

    def _text(self, obj: Any, name: str, rubric_id: str) -> str:
        text = obj.text(name, self.lang)
        if text is None:
            self.untranslated.add(rubric_id)
            return getattr(obj, name)
        return text

    def title(self, area_id: str, english: str) -> str:
        rubric = self.rubrics.get(area_id)
        return self._text(rubric, "title", area_id) if rubric else english

    def question(self, area_id: str, criterion_id: str, english: str) -> str:
        c = self.criteria.get((area_id, criterion_id))
        return self._text(c, "question", area_id) if c else english

    def flag(self, area_id: str, criterion_id: str, english: str) -> str:
        c = self.criteria.get((area_id, criterion_id))
        return self._text(c.red_flag, "message", area_id) if c and c.red_flag else english

    def areas(self, areas: list[dict[str, Any]], stage: str | None, local_per_usd: float, currency: str) -> None:
        """Translate the display strings of the result's areas in place."""
        if self.lang == DEFAULT:
            return
        for area in areas:
            rubric = self.rubrics.get(area["id"])
            if rubric is None:
                continue
            area["title"] = self._text(rubric, "title", rubric.id)
            for c in area["criteria"]:
                criterion = self.criteria.get((rubric.id, c["id"]))
                if criterion is None:
                    continue
                c["question"] = self._text(criterion, "question", rubric.id)
                c["advice"] = self._text(criterion, "advice", rubric.id)
                if criterion.target is not None and criterion.text("target", self.lang) is None:
                    self.untranslated.add(rubric.id)
                c["target"] = rubric.target_for(criterion, stage, local_per_usd, currency, lang=self.lang)
                if c["red_flag"] and criterion.red_flag is not None:
                    c["red_flag"] = self._text(criterion.red_flag, "message", rubric.id)
                if c["note"]:
                    c["note"] = gettext(c["note"], self.lang)

    def warning(self) -> str | None:
        if not self.untranslated:
            return None
        names = ", ".join(sorted(self.untranslated))
        return gettext("rubric {names} has no {lang} translation for some texts; they are shown in English",
                       self.lang).format(names=names, lang=self.lang)


def localise_overall(result: dict[str, Any], loc: Localiser, rubrics: list[Rubric]) -> None:
    """Verdict label, red flags, highlights, deciding unknowns, the verdict's basis and the method's fatal flags."""
    lang = loc.lang
    overall = result["overall"]
    overall["verdict_label"] = gettext(overall["verdict"], lang)
    if lang == DEFAULT:
        return
    for flag in overall["red_flags"]:
        flag["message"] = loc.flag(flag["area"], flag["criterion"], flag["message"])
        if flag.get("note"):
            flag["note"] = gettext(flag["note"], lang)
    for row in overall["deciding"]:
        row["question"] = loc.question(row["area"], row["criterion"], row["question"])
    result["warnings"][:] = [translate(w, lang) for w in result["warnings"]]
    compute = result["evidence"].get("compute")
    if compute and compute.get("warnings"):
        compute["warnings"] = [translate(w, lang) for w in compute["warnings"]]
    bench = result["evidence"].get("bench")
    if bench:
        bench["answers"] = [{key: translate(text, lang) for key, text in qa.items()} for qa in bench["answers"]]
        bench["warnings"] = [translate(w, lang) for w in bench.get("warnings", [])]
        curve = bench.get("learning_curve") or {}
        for key in ("note", "extrapolation_warning"):
            if curve.get(key):
                curve[key] = translate(curve[key], lang)
    result["method"]["fatal_flags"] = [loc._text(c.red_flag, "message", r.id) for r in rubrics for c in r.criteria
                                       if c.red_flag and c.red_flag.fatal]
    overall["basis"] = basis_zh(result)


def _either_zh(options: list[str]) -> str:
    names = [gettext(o, "zh") for o in options]
    return names[0] if len(names) == 1 else "、".join(names[:-1]) + "或" + names[-1]


def basis_zh(result: dict[str, Any]) -> str:
    """The verdict's basis (scoring.score writes it in English) as a Chinese sentence, from the same numbers."""
    from .scoring import INSUFFICIENT, MIN_COVERAGE, RED_FLAG_CAP

    o = result["overall"]
    titles = {a["id"]: a["title"] for a in result["areas"]}
    fatal = [f for f in o["red_flags"] if f["fatal"]]
    possible = o["possible"]
    if fatal:
        text = "致命红旗：" + "；".join(f"{titles.get(f['area'], f['area'])} · {f['criterion']}" for f in fatal)
    elif len(possible) == 1:
        text = f"得分上下限（{(o['low'] or 0):.0f} 和 {(o['high'] or 0):.0f}）落在同一档，无论未知项得分如何"
    elif o["verdict"] != INSUFFICIENT and o["score"] is not None:
        if o["coverage"] >= MIN_COVERAGE:
            why = f"证据覆盖 {o['coverage']:.0%} 的权重"
        else:
            stage = result["project"].get("stage")
            named = gettext(stage, "zh") + " " if stage else ""
            why = f"{named}阶段的必知指标已有 {(o['key_coverage'] or 0):.0%} 取得证据"
        text = f"点估计得分 {o['score']:.0f}：{why}；未知项仍可能使其成为{_either_zh(possible)}"
    else:
        left = _either_zh(possible) if possible else "任何一档"
        text = (f"证据覆盖 {o['coverage']:.0%} 的权重，上下限（{(o['low'] or 0):.0f}–{(o['high'] or 0):.0f}）"
                f"仍可能是{left}")
    if o["capped"]:
        capping = sum(1 for f in o["red_flags"] if f["caps"])
        text += f"；{capping} 个红旗将其上限定为“{gettext(RED_FLAG_CAP, 'zh')}”"
    return text


def localise_robustness(rb: dict[str, Any], loc: Localiser) -> None:
    """The robustness section's display strings: verdict labels, input and figure names, red flags, the summary."""
    from .project import field_path
    from .robustness import KEY_FACTS, label, summary_line

    lang = loc.lang
    for v in rb["verdicts"]:
        v["verdict_label"] = gettext(v["verdict"], lang)
    rb["base"]["verdict_label"] = gettext(rb["base"]["verdict"], lang)
    if lang == DEFAULT:
        return
    for f in rb["red_flags"]:
        f["message"] = loc.flag(f["area"], f["criterion"], f["message"])
    for row in [*rb["tornado"], *rb["flips"]]:
        row["label"] = label(field_path(row["field"]), lang)
    for name, figure in rb["facts"].items():
        figure["label"] = gettext(KEY_FACTS[name], lang)
    rb["summary"] = summary_line(rb, lang)
