"""Report layer: charts, formatting, templates and writers."""

from .render import FORMATS, check_output, render, render_html, render_json, render_markdown, render_pdf, write_atomic  # noqa: F401
