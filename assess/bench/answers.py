"""What a benchmark result says: the bench facts for scoring, and plain answers to the investors' questions."""

from __future__ import annotations

from typing import Any

from ..facts import Facts


def answer_questions(result: dict[str, Any]) -> list[dict[str, str]]:
    """Plain-language answers to the three questions investors ask."""
    metric, best, dummy = result["metric"], result["best"], result["dummy"]
    lift = lift_over_dummy(result)
    answers = []
    if only_dummy(result):
        why = f"no baseline beyond the dummy finished within the {result['budget']:g} s budget; raise --budget"
        dummy_meets = dummy is not None and result.get("target_score") is not None and target_met(result)
        return [{"question": "Is the task learnable from this data?", "answer": f"Unknown: {why}."},
                {"question": "Does a cheap model already meet the target?",
                 "answer": (f"Yes: even the dummy baseline reaches {dummy['score']:.3f} against a target of "
                            f"{result['target_score']:g}.") if dummy_meets else f"Unknown: {why}."},
                {"question": "How much more data would reach the target?", "answer": f"Unknown: {why}."}]
    if dummy is None or lift is None:
        learnable = "Unknown: the dummy baseline did not finish."
    elif lift >= 0.3:
        learnable = (f"Yes. {best['name']} reaches {metric} {best['score']:.3f} against {dummy['score']:.3f} for "
                     f"chance, closing {lift:.0%} of the gap to a perfect score.")
    elif lift >= 0.05:
        learnable = (f"Partly. The best baseline ({best['score']:.3f}) beats chance ({dummy['score']:.3f}) but closes "
                     f"only {lift:.0%} of the gap.")
    else:
        learnable = (f"Not with these baselines: the best ({best['score']:.3f}) is no better than chance "
                     f"({dummy['score']:.3f}).")
    answers.append({"question": "Is the task learnable from this data?", "answer": learnable})
    target = result.get("target_score")
    if target is None:
        cheap = "No target stated (tech.target or --target-score), so this cannot be judged."
    elif _meets(result, target):
        cheap = (f"Yes: {best['name']} already reaches {best['score']:.3f} against a target of {target:g}. "
                 "A large model is no moat for this task on its own.")
    else:
        cheap = f"No: the best cheap baseline reaches {best['score']:.3f}, short of the {target:g} target."
    answers.append({"question": "Does a cheap model already meet the target?", "answer": cheap})
    curve = result.get("learning_curve")
    if target is None:
        need = "No target stated."
    elif curve is None or not curve.get("fit"):
        need = f"No learning curve was fitted: {curve['note']}." if curve and curve.get("note") else \
            "No learning curve could be fitted within the budget."
    elif _meets(result, target):
        need = "None: the target is met with the data available."
    elif not curve.get("reachable") and curve.get("note"):
        need = f"Not in practice: {curve['note']}."
    elif not curve.get("reachable"):
        need = (f"Not reachable with this model family: the fitted curve levels off at {curve['asymptote']:.3f} "
                f"({metric}), short of {target:g}.")
    else:
        need = (f"About {curve['rows_for_target']:,} training rows "
                f"({curve['data_multiple']:.1f}× the {curve['n_available']:,} rows the dataset has)")
        interval = curve.get("rows_for_target_interval")
        if interval:
            need += f", 90 % interval {interval[0]:,}–{interval[1]:,}"
        need += "."
        if curve.get("extrapolation_warning"):
            need += " " + curve["extrapolation_warning"]
    if curve and curve.get("backtest_error") is not None:
        need += f" (Back-test error of the curve: {curve['backtest_error']:.3f}.)"
    answers.append({"question": "How much more data would reach the target?", "answer": need})
    return answers


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
