"""Data-readiness engine: quality, leakage, personal data, license and datasheet completeness."""

from __future__ import annotations

from ..facts import specs

FACTS = specs([
    ("data.rows", "rows", "Rows in the dataset"),
    ("data.missing_rate", "fraction", "Share of missing cells"),
    ("data.duplicate_rate", "fraction", "Share of exact duplicate rows"),
    ("data.label_conflicts", "count", "Duplicated inputs with conflicting labels"),
    ("data.minority_share", "fraction", "Share of the smallest class"),
    ("data.leakage_suspects", "count", "Features that alone predict the target almost perfectly"),
    ("data.pii_rate", "fraction", "Share of scanned rows holding personal data"),
    ("data.pii_columns", "count", "Columns holding personal data"),
    ("data.commercial_use", "category", "Commercial-use verdict: allowed, restricted, forbidden or unknown"),
    ("data.datasheet_completeness", "fraction", "Share of the seven Datasheets for Datasets sections answered"),
    ("data.readiness_level", "category", "Data Readiness Level (Lawrence 2017): C, B or A"),
])
