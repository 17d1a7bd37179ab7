"""Render an assessment result to HTML, PDF, Markdown or JSON, and write files atomically."""

from __future__ import annotations

import hashlib
import logging
import shlex
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, StrictUndefined

from ..errors import Problem, UserError
from ..resources import bundled_dir
from ..vocab import REPORT_FORMATS
from .format import fmt, human, input_value, money
from .markdown import md_code, md_escape

log = logging.getLogger(__name__)

FORMATS = REPORT_FORMATS
MAX_PAGES = 300
RENDER_SECONDS = 120


def template_dirs(user_dir: str | Path | None) -> list[Path]:
    dirs = []
    if user_dir is not None:
        user_dir = Path(user_dir)
        if not user_dir.is_dir():
            raise UserError(Problem("template directory not found", file=str(user_dir)))
        dirs.append(user_dir)
    dirs.append(bundled_dir("templates"))
    return dirs


def environment(user_dir: str | Path | None = None) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(str(d)) for d in template_dirs(user_dir)]),
        autoescape=lambda name: bool(name) and not str(name).endswith(".md.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(fmt=fmt, human=human, money=money, input_value=input_value, md=md_escape, md_code=md_code,
                       shquote=shlex.quote, pct=lambda v: "unknown" if v is None else f"{100 * v:.0f} %")
    return env


def render_html(result: dict[str, Any], template_dir: str | Path | None = None) -> str:
    from .context import with_charts

    return environment(template_dir).get_template("report.html.j2").render(r=with_charts(result))


def render_markdown(result: dict[str, Any], template_dir: str | Path | None = None) -> str:
    return environment(template_dir).get_template("report.md.j2").render(r=result)


def render_json(result: dict[str, Any]) -> str:
    from .. import jsonout

    public = {k: v for k, v in result.items() if not k.startswith("_")}
    return jsonout.dumps(public, indent=2, sort_keys=False, ensure_ascii=False, default=str) + "\n"


@contextmanager
def _time_limit(seconds: int) -> Iterator[None]:
    """Stop a runaway render; only possible from the main thread (signals)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(signal, "SIGALRM"):
        yield
        return

    def _timeout(signum, frame):
        raise UserError(Problem(f"rendering took longer than {seconds} s and was stopped"))

    previous = signal.signal(signal.SIGALRM, _timeout)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def render_pdf(html: str, template_dir: str | Path | None = None, *, fetcher=None) -> bytes:
    """HTML → PDF with the restricted fetcher on every HTML() and CSS() call."""
    from weasyprint import CSS, HTML

    from .fetcher import RestrictedFetcher
    from .fonts import missing_font_warnings

    for line in missing_font_warnings(html):
        log.warning(line)
    dirs = template_dirs(template_dir)
    fetcher = fetcher or RestrictedFetcher(dirs)
    env = environment(template_dir)
    assert env.loader is not None  # environment() always sets one
    stylesheet = env.loader.get_source(env, "report.css")[0]
    base_url = dirs[-1].as_uri() + "/"
    with _time_limit(RENDER_SECONDS):
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(
            stylesheets=[CSS(string=stylesheet, base_url=base_url, url_fetcher=fetcher)])
        if len(document.pages) > MAX_PAGES:
            raise UserError(Problem(f"the report would have {len(document.pages)} pages, over the "
                                    f"{MAX_PAGES}-page limit"))
        # A fixed identifier derived from the content keeps the PDF byte-identical for identical input.
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        return document.write_pdf(pdf_identifier=identifier)


def render(result: dict[str, Any], fmt_name: str, template_dir: str | Path | None = None) -> bytes:
    from jinja2 import TemplateError

    try:
        return _render(result, fmt_name, template_dir)
    except TemplateError as exc:
        if template_dir is None:
            raise  # a bundled template failing is our bug, not the user's
        where = getattr(exc, "filename", None) or str(template_dir)
        raise UserError(Problem(f"template error: {exc}", file=where, line=getattr(exc, "lineno", None))) from None


def _render(result: dict[str, Any], fmt_name: str, template_dir: str | Path | None) -> bytes:
    if fmt_name == "json":
        return render_json(result).encode("utf-8")
    if fmt_name == "md":
        return render_markdown(result, template_dir).encode("utf-8")
    html = render_html(result, template_dir)
    if fmt_name == "html":
        return html.encode("utf-8")
    if fmt_name == "pdf":
        return render_pdf(html, template_dir)
    raise UserError(Problem(f"unknown format '{fmt_name}'; expected one of {', '.join(FORMATS)}"))
