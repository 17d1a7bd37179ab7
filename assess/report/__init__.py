"""Report layer: charts, formatting, templates and writers."""

from .render import render, render_html, render_markdown, render_pdf  # noqa: F401  (the report layer's API)
