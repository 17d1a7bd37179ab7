"""Portfolio work: assess many projects (`batch`), rank them, and compare a few side by side (`compare`)."""

from __future__ import annotations
