"""One exception type for problems a user can fix; the CLI turns it into exit code 2."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, located as precisely as we can."""

    message: str
    file: str | None = None
    line: int | None = None
    field: str | None = None

    def __str__(self) -> str:
        where = self.file or ""
        if self.file and self.line:
            where += f":{self.line}"
        parts = [p for p in (where, self.field) if p]
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message


class UserError(Exception):
    """Bad input: one or more problems, each printed on its own line."""

    def __init__(self, problems: list[Problem] | Problem | str, *, file: str | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, file=file)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def suggest(word: str, options: list[str] | set[str]) -> str | None:
    """The closest option, comparing against whole names and their '_'/'.'-separated parts (chrun → monthly_churn)."""
    import difflib
    import re

    best, best_score = None, 0.0
    for option in sorted(options):
        parts = [option, *re.split(r"[._]", option)]
        score = max(difflib.SequenceMatcher(None, word.lower(), part.lower()).ratio() for part in parts if part)
        if score > best_score:
            best, best_score = option, score
    return best if best_score >= 0.6 else None
