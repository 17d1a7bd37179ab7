"""Test helpers shared by the test files: example paths, project.yaml texts, generated datasets and a process
lister. Fixtures stay in conftest.py; everything a test imports by name lives here."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

MINIMAL = "name: Tiny Co\n"

FULL = """\
name: Acme AI
tagline: Classifies support tickets
stage: seed
market:
  customers: 50000
  annual_contract_value: 24000
  tam: 2.0e9
  sam: 5.0e8
  som: 2.0e7
  growth_rate: 0.3
  competitors: [{name: BigCo, strength: strong}]
  differentiation: Works inside the ticketing tools teams already use, with no integration work.
  evidence: {lois: 4, pilots: 2, paying_users: 3}
tech:
  task: text-classification
  approach: classical
  target: {metric: accuracy, value: 0.8}
  team: {ml_engineers: 3, shipped_ml_products: 1}
  deployment: container
  monitoring: true
  model_versioning: true
business:
  price_per_customer_month: 2000
  cac: 12000
  monthly_churn: 0.015
  other_cogs_per_customer_month: 300
  cash: 3.0e6
  monthly_burn: 150000
  net_new_arr_12m: 1.5e6
"""


def process_group(pgid: int) -> list[int]:
    """Live processes (zombies excluded: they are dead, only not yet reaped) in process group `pgid` (Linux /proc)."""
    found = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        state, _ppid, group = stat[stat.rfind(")") + 2:].split()[:3]
        if int(group) == pgid and state not in "ZX":
            found.append(int(entry))
    return found


def write(tmp_path: Path, text: str, name: str = "project.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def text_dataset(n: int = 400, seed: int = 0) -> pd.DataFrame:
    """A learnable two-class text task: the label depends on which word family a message uses."""
    rng = np.random.default_rng(seed)
    good = ["great", "love", "excellent", "happy", "thanks", "perfect", "nice"]
    bad = ["broken", "refund", "terrible", "angry", "late", "awful", "crash"]
    filler = ["the", "order", "app", "today", "with", "my", "team", "account", "again", "it"]
    rows = []
    for i in range(n):
        label = "complaint" if i % 3 == 0 else "praise"
        words = list(rng.choice(filler, size=6)) + list(rng.choice(bad if label == "complaint" else good, size=2))
        if rng.random() < 0.05:  # a little label noise keeps scores below 1
            label = "praise" if label == "complaint" else "complaint"
        rng.shuffle(words)
        rows.append({"text": " ".join(words) + f" ticket {i}", "label": label})
    return pd.DataFrame(rows)


def html_text(html: str | bytes) -> str:
    """The words of an HTML report without markup, whitespace collapsed. The PDF is this HTML laid out, so checks
    of wording read it here; what is PDF-specific (the file opens, fonts, pages) is checked on real PDFs."""
    import html as html_module
    import re

    if isinstance(html, bytes):
        html = html.decode("utf-8")
    return " ".join(html_module.unescape(re.sub(r"<[^>]+>", " ", html)).split())


def check_archetype_pdf(example: str, result: dict, text: str) -> None:
    """An example's PDF text shows its verdict label, its bounds and every red flag; its project says the figures
    are illustrative. model-lab renders in Chinese (language: zh), with translated labels and messages."""
    assert result["overall"]["verdict_label"] in text and ("bounds" in text or "上下限" in text)
    assert "illustrative" in (EXAMPLES / example / "project.yaml").read_text(encoding="utf-8")
    flat = " ".join(text.split())
    for flag in result["overall"]["red_flags"]:
        assert flag["fact"] and flag["message"].replace("：", ":").split(":")[0] in flat, flag["message"]
