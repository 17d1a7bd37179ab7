"""License classification (SPDX ids via license-expression) and the commercial-use verdict."""

from __future__ import annotations

from typing import Any

from license_expression import ExpressionError, get_spdx_licensing

# Most restrictive first: a compound expression takes the most restrictive category it contains.
CATEGORY_ORDER = ("non-commercial", "no-derivatives", "share-alike", "proprietary", "permissive", "unknown")
_PERMISSIVE = {"mit", "apache-2.0", "bsd-2-clause", "bsd-3-clause", "isc", "cc0-1.0", "cc-by-4.0", "cc-by-3.0",
               "cc-by-2.0", "pddl-1.0", "odc-by-1.0", "unlicense", "zlib", "cdla-permissive-1.0",
               "cdla-permissive-2.0", "0bsd", "ogl-uk-3.0", "etalab-2.0", "public-domain"}
_SHARE_ALIKE = {"cc-by-sa-4.0", "cc-by-sa-3.0", "cc-by-sa-2.0", "odbl-1.0", "cdla-sharing-1.0", "gpl-2.0",
                "gpl-2.0-only", "gpl-2.0-or-later", "gpl-3.0", "gpl-3.0-only", "gpl-3.0-or-later", "agpl-3.0",
                "agpl-3.0-only", "agpl-3.0-or-later", "lgpl-2.1", "lgpl-3.0", "lgpl-2.1-only", "lgpl-3.0-only",
                "mpl-2.0", "epl-2.0"}
_PROPRIETARY_WORDS = {"proprietary", "commercial", "internal", "customer", "all-rights-reserved", "licensed"}


def _symbol_category(key: str) -> str:
    k = key.lower()
    if "-nc" in k or "noncommercial" in k or "non-commercial" in k:
        return "non-commercial"
    if "-nd" in k or "noderiv" in k:
        return "no-derivatives"
    if k in _SHARE_ALIKE or "-sa-" in k:
        return "share-alike"
    if k in _PERMISSIVE:
        return "permissive"
    if k.startswith("licenseref-") or any(word in k for word in _PROPRIETARY_WORDS):
        return "proprietary"
    return "unknown"


def classify_license(text: str | None) -> dict[str, Any]:
    if not text or not text.strip():
        return {"id": None, "category": "unknown", "symbols": []}
    licensing = get_spdx_licensing()
    cleaned = text.strip()
    try:
        expression = licensing.parse(cleaned, validate=False)
        symbols = sorted({s.key for s in expression.symbols}) if expression is not None else [cleaned]
        shown = expression.render() if expression is not None else cleaned
    except ExpressionError:
        symbols, shown = [cleaned.replace(" ", "-")], cleaned
    categories = [_symbol_category(s) for s in symbols] or ["unknown"]
    category = min(categories, key=CATEGORY_ORDER.index)
    return {"id": shown, "category": category, "symbols": symbols}


def commercial_use_verdict(license: dict[str, Any], source: str | None, allowed: bool | None) -> tuple[str, list[str]]:
    """allowed | restricted | forbidden | unknown, with the reasons a reader needs."""
    category = license["category"]
    reasons = []
    if allowed is False:
        return "forbidden", ["project.yaml states commercial use is not allowed"]
    if category == "non-commercial":
        return "forbidden", [f"license {license['id']} is non-commercial: it forbids a commercial plan"]
    if category == "no-derivatives":
        return "restricted", [f"license {license['id']} forbids derivatives; a trained model may be one"]
    if category == "share-alike":
        reasons.append(f"license {license['id']} is share-alike: derived data must carry the same license")
        return "restricted", reasons
    if source == "scraped" and allowed is not True:
        return "restricted", ["scraped data: site terms and copyright may forbid commercial training"]
    if category == "permissive":
        return "allowed", [f"license {license['id']} is permissive"]
    if allowed is True:
        return "allowed", ["project.yaml states commercial use is allowed"]
    if source in ("proprietary", "synthetic"):
        return "allowed", [f"{source} data owned by the company"]
    if category == "proprietary":
        return "unknown", [f"license {license['id']} is proprietary; commercial terms not stated"]
    return "unknown", ["no license or commercial-use statement"]
