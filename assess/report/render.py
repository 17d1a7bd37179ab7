"""Render an assessment result to HTML, PDF, Markdown or JSON, and write files atomically."""

from __future__ import annotations

import functools
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
from ..i18n import DEFAULT, N_, check_language, translations
from ..resources import bundled_dir
from ..vocab import REPORT_FORMATS
from .format import date, fmt, human, input_value, money, pct
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


def environment(user_dir: str | Path | None = None, lang: str = DEFAULT) -> Environment:
    """The template environment for one report language: `_()` and `{% trans %}` look up the gettext catalogue
    (English is the identity), and the number filters follow the language's conventions.

    One environment per search path and language, kept for the process: it keeps its compiled templates (compiling
    the report's takes about 0.4 s, as long as laying out a quarter of it), and its loaders still reload a template
    whose file changed."""
    lang = check_language(lang)
    return _environment(tuple(str(d.resolve()) for d in template_dirs(user_dir)), lang)


@functools.lru_cache(maxsize=32)
def _environment(dirs: tuple[str, ...], lang: str) -> Environment:
    env = Environment(
        loader=ChoiceLoader([FileSystemLoader(d) for d in dirs]),
        auto_reload=True,
        autoescape=lambda name: bool(name) and not str(name).endswith(".md.j2"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.i18n"],
    )
    catalogue = translations(lang)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    env.filters.update(fmt=lambda v, unit="", currency="USD": fmt(v, unit, currency, lang=lang),
                       human=lambda v, digits=3: human(v, digits, lang=lang),
                       money=lambda v, currency="USD": money(v, currency, lang=lang),
                       input_value=lambda v, unit: input_value(v, unit, lang=lang),
                       md=md_escape, md_code=md_code, shquote=shlex.quote,
                       pct=lambda v: pct(v, lang), date=lambda v: date(v, lang),
                       t=lambda v: catalogue.gettext(v) if isinstance(v, str) and v else v)  # a runtime id: verdicts
    env.globals["lang"] = lang
    return env


def result_language(result: dict[str, Any], lang: str | None = None) -> str:
    """The language to render in: the one asked for, else the one the result was assessed in."""
    return check_language(lang or result.get("language") or DEFAULT)


def render_html(result: dict[str, Any], template_dir: str | Path | None = None, lang: str | None = None) -> str:
    from .context import with_charts

    lang = result_language(result, lang)
    return environment(template_dir, lang).get_template("report.html.j2").render(r=with_charts(result, lang))


def render_markdown(result: dict[str, Any], template_dir: str | Path | None = None, lang: str | None = None) -> str:
    lang = result_language(result, lang)
    return environment(template_dir, lang).get_template("report.md.j2").render(r=result)


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


# The running header and the page numbers live in CSS (@page margin boxes), out of the templates' reach.
PAGE_TITLE = N_("assess · feasibility report")
PORTFOLIO_TITLE = N_("assess · portfolio")
COMPARISON_TITLE = N_("assess · comparison")
PAGE_NUMBER = N_("Page %(page)s of %(pages)s")


def page_css(lang: str, title: str = PAGE_TITLE) -> str:
    """@page margin boxes in `lang`, with `title` (an untranslated message) as the running header. report.css holds
    the English ones of a feasibility report."""
    if lang == DEFAULT and title == PAGE_TITLE:
        return ""
    gettext = translations(lang).gettext

    def css_string(text: str) -> str:
        return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'

    number = css_string(gettext(PAGE_NUMBER))
    number = number.replace("%(page)s", '" counter(page) "').replace("%(pages)s", '" counter(pages) "')
    return (f"@page {{ @top-left {{ content: {css_string(gettext(title))}; }} "
            f"@bottom-right {{ content: {number}; }} }}\n"
            "@page :first { @top-left { content: none; } }\n")


def _html_lang(html: str) -> str:
    import re

    match = re.search(r'<html[^>]*\blang="([A-Za-z-]+)"', html[:2000])
    try:
        return check_language(match.group(1).split("-")[0]) if match else DEFAULT
    except UserError:
        return DEFAULT


def render_pdf(html: str, template_dir: str | Path | None = None, *, fetcher=None,
               allow_missing_glyphs: bool = False, lang: str | None = None, title: str = PAGE_TITLE) -> bytes:
    """HTML → PDF with the restricted fetcher on every HTML() and CSS() call. Text that neither the bundled CJK
    font nor an installed font can draw stops the render (UserError) unless `allow_missing_glyphs`. `title` is the
    running header (PAGE_TITLE, PORTFOLIO_TITLE or COMPARISON_TITLE), translated into the page's language."""
    from weasyprint import CSS, HTML

    from .fetcher import RestrictedFetcher
    from .fonts import bundled_font_css, check_glyphs, drawn_text, fonts_dir, needs_cjk_font

    text = drawn_text(html)
    for line in check_glyphs(text, allow_missing=allow_missing_glyphs):
        log.warning(line)
    dirs = template_dirs(template_dir)
    fetcher = fetcher or RestrictedFetcher([*dirs, fonts_dir()])
    env = environment(template_dir)
    assert env.loader is not None  # environment() always sets one
    stylesheet = env.loader.get_source(env, "report.css")[0]
    base_url = dirs[-1].as_uri() + "/"
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()  # @font-face rules take effect only through one shared FontConfiguration

    def sheet(css: str) -> Any:
        return CSS(string=css, base_url=base_url, url_fetcher=fetcher, font_config=font_config)

    sheets = [sheet(stylesheet)]
    localised = page_css(lang or _html_lang(html), title)
    if localised:
        sheets.append(sheet(localised))
    if needs_cjk_font(text):  # only then: an English report neither loads nor embeds the 3 MB of CJK outlines
        sheets.insert(0, sheet(bundled_font_css()))
    with _time_limit(RENDER_SECONDS):
        document = HTML(string=html, base_url=base_url, url_fetcher=fetcher).render(stylesheets=sheets,
                                                                                    font_config=font_config)
        if len(document.pages) > MAX_PAGES:
            raise UserError(Problem(f"the report would have {len(document.pages)} pages, over the "
                                    f"{MAX_PAGES}-page limit"))
        # A fixed identifier derived from the content keeps the PDF byte-identical for identical input.
        identifier = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode("ascii")
        return document.write_pdf(pdf_identifier=identifier)


def render(result: dict[str, Any], fmt_name: str, template_dir: str | Path | None = None, *,
           lang: str | None = None, allow_missing_glyphs: bool = False) -> bytes:
    """The report in one format. `lang` defaults to the result's own language (RunOptions.language); the
    display strings inside the result (rubric text, verdict labels) are in that language already."""
    from jinja2 import TemplateError

    try:
        return _render(result, fmt_name, template_dir, result_language(result, lang), allow_missing_glyphs)
    except TemplateError as exc:
        if template_dir is None:
            raise  # a bundled template failing is our bug, not the user's
        where = getattr(exc, "filename", None) or str(template_dir)
        raise UserError(Problem(f"template error: {exc}", file=where, line=getattr(exc, "lineno", None))) from None


def _render(result: dict[str, Any], fmt_name: str, template_dir: str | Path | None, lang: str,
            allow_missing_glyphs: bool) -> bytes:
    if fmt_name == "json":
        return render_json(result).encode("utf-8")
    if fmt_name == "md":
        return render_markdown(result, template_dir, lang).encode("utf-8")
    html = render_html(result, template_dir, lang)
    if fmt_name == "html":
        return html.encode("utf-8")
    if fmt_name == "pdf":
        return render_pdf(html, template_dir, allow_missing_glyphs=allow_missing_glyphs, lang=lang)
    raise UserError(Problem(f"unknown format '{fmt_name}'; expected one of {', '.join(FORMATS)}"))
