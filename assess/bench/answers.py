"""What a benchmark result says: the bench facts for scoring, and plain answers to the investors' questions."""

from __future__ import annotations

from typing import Any

from ..facts import Facts
from ..i18n import N_, Message

LEARNABLE = N_("Is the task learnable from this data?")
CHEAP = N_("Does a cheap model already meet the target?")
MORE_DATA = N_("How much more data would reach the target?")


def answer_questions(result: dict[str, Any]) -> list[dict[str, str]]:
    """Plain-language answers to the three questions investors ask. Each question and answer is a Message: English
    text everywhere (JSON, the terminal), shown in the report's language by localise."""
    metric, best, dummy = result["metric"], result["best"], result["dummy"]
    lift = lift_over_dummy(result)
    score = f"{best['score']:.3f}"
    target = result.get("target_score")
    if only_dummy(result):
        why = Message(N_("Unknown: no baseline beyond the dummy finished within the {budget} s budget; raise "
                         "--budget."), budget=f"{result['budget']:g}")
        dummy_meets = dummy is not None and target is not None and target_met(result)
        return _answers(why, Message(N_("Yes: even the dummy baseline reaches {score} against a target of {target}."),
                                     score=score, target=f"{target:g}") if dummy_meets else why, why)
    if dummy is None or lift is None:
        learnable = Message(N_("Unknown: the dummy baseline did not finish."))
    else:
        shares = {"model": best["name"], "metric": metric, "score": score, "chance": f"{dummy['score']:.3f}",
                  "share": f"{lift:.0%}"}
        if lift >= 0.3:
            learnable = Message(N_("Yes. {model} reaches {metric} {score} against {chance} for chance, closing {share} "
                                   "of the gap to a perfect score."), **shares)
        elif lift >= 0.05:
            learnable = Message(N_("Partly. The best baseline ({score}) beats chance ({chance}) but closes only "
                                   "{share} of the gap."), **shares)
        else:
            learnable = Message(N_("Not with these baselines: the best ({score}) is no better than chance ({chance})."),
                                **shares)
    if target is None:
        cheap = Message(N_("No target stated (tech.target or --target-score), so this cannot be judged."))
    elif _meets(result, target):
        cheap = Message(N_("Yes: {model} already reaches {score} against a target of {target}. A large model is no "
                           "moat for this task on its own."), model=best["name"], score=score, target=f"{target:g}")
    else:
        cheap = Message(N_("No: the best cheap baseline reaches {score}, short of the {target} target."),
                        score=score, target=f"{target:g}")
    return _answers(learnable, cheap, _more_data(result, metric, target))


def _answers(learnable: str, cheap: str, more_data: str) -> list[dict[str, str]]:
    return [{"question": Message(question), "answer": answer}
            for question, answer in ((LEARNABLE, learnable), (CHEAP, cheap), (MORE_DATA, more_data))]


def _more_data(result: dict[str, Any], metric: str, target: float | None) -> Message:
    curve = result.get("learning_curve")
    if target is None:
        return Message(N_("No target stated."))
    if curve is None or not curve.get("fit"):
        need = (Message(N_("No learning curve was fitted: {note}."), note=curve["note"]) if curve and curve.get("note")
                else Message(N_("No learning curve could be fitted within the budget.")))
    elif _meets(result, target):
        need = Message(N_("None: the target is met with the data available."))
    elif not curve.get("reachable") and curve.get("note"):
        need = Message(N_("Not in practice: {note}."), note=curve["note"])
    elif not curve.get("reachable"):
        need = Message(N_("Not reachable with this model family: the fitted curve levels off at {asymptote} "
                          "({metric}), short of {target}."), asymptote=f"{curve['asymptote']:.3f}", metric=metric,
                       target=f"{target:g}")
    else:
        need = Message(N_("About {rows} training rows ({multiple}× the {available} rows the dataset has)"),
                       rows=f"{curve['rows_for_target']:,}", multiple=f"{curve['data_multiple']:.1f}",
                       available=f"{curve['n_available']:,}")
        interval = curve.get("rows_for_target_interval")
        if interval:
            need = Message(N_("{text}, {level} interval {low}–{high}"), text=need, level="90 %",
                           low=f"{interval[0]:,}", high=f"{interval[1]:,}")
        need = Message(N_("{text}."), text=need)
        if curve.get("extrapolation_warning"):
            need = Message(N_("{text} {warning}"), text=need, warning=curve["extrapolation_warning"])
    if curve and curve.get("backtest_error") is not None:
        need = Message(N_("{text} (Back-test error of the curve: {error}.)"), text=need,
                       error=f"{curve['backtest_error']:.3f}")
    return need


def _meets(result: dict[str, Any], target: float) -> bool:
    score = result["best"]["score"]
    return score >= target if result["higher_is_better"] else score <= target


def target_met(result: dict[str, Any]) -> bool:
    target = result.get("target_score")
    return target is not None and _meets(result, target)


def only_dummy(result: dict[str, Any]) -> bool:
    """True when the dummy is the only baseline that finished: the lift over chance is then unknown, not zero."""
    return result.get("baselines_finished") == 0


def lift_over_dummy(result: dict[str, Any]) -> float | None:
    dummy = result.get("dummy")
    if not dummy or dummy.get("score") is None or only_dummy(result):
        return None
    best, chance = result["best"]["score"], dummy["score"]
    if result["higher_is_better"]:
        perfect = 1.0
        return max(0.0, (best - chance) / (perfect - chance)) if perfect > chance else 0.0
    return max(0.0, (chance - best) / chance) if chance > 0 else 0.0


def bench_facts(result: dict[str, Any], include_timings: bool = True) -> Facts:
    facts = Facts()
    add = lambda name, value, note="": facts.add(name, value, origin="benchmark", note=note)  # noqa: E731
    metric = result["metric"]
    if result.get("dummy"):
        add("bench.dummy_score", result["dummy"]["score"], metric)
    if only_dummy(result):
        # Chance level is all that was measured: what a real model reaches stays unknown, unless even chance
        # meets the target (then the target is trivial whatever else would have finished).
        if target_met(result):
            add("bench.meets_target_cheaply", True, result["best"]["name"])
            add("bench.data_multiple_for_target", 1.0, "target already met by the dummy baseline")
        return facts
    add("bench.best_score", result["best"]["score"], f"{metric}, {result['best']['name']}")
    add("bench.lift_over_dummy", lift_over_dummy(result), metric)
    target = result.get("target_score")
    if target is not None:
        gap = (target - result["best"]["score"]) if result["higher_is_better"] else (result["best"]["score"] - target)
        add("bench.gap_to_target", gap, f"{metric} target {target:g}")
        add("bench.meets_target_cheaply", _meets(result, target), result["best"]["name"])
        curve = result.get("learning_curve") or {}
        if _meets(result, target):
            add("bench.data_multiple_for_target", 1.0, "target already met")
        elif curve.get("fit"):
            if curve.get("reachable"):
                add("bench.rows_for_target", curve["rows_for_target"])
                add("bench.data_multiple_for_target", curve["data_multiple"],
                    curve.get("extrapolation_warning") or "")
            else:
                add("bench.data_multiple_for_target", float("1e9"), "not reachable with this model family")
    if include_timings:
        best = next(m for m in result["models"] if m["name"] == result["best"]["name"])
        add("bench.fit_seconds", best.get("fit_seconds"))
    return facts
