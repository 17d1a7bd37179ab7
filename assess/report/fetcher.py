"""The only URL fetcher WeasyPrint ever gets: data: URIs and files inside the bundled templates, nothing else."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import unquote, urlparse

from weasyprint.urls import URLFetcher

log = logging.getLogger(__name__)


class RestrictedFetcher(URLFetcher):
    """Allows `data:` and `file:` URLs under the allowed directories; refuses everything else, with no redirects."""

    def __init__(self, allowed_dirs: list[Path]):
        super().__init__(allowed_protocols={"data", "file"}, allow_redirects=False, timeout=1)
        self.allowed_dirs = [d.resolve() for d in allowed_dirs]
        self.refused: list[str] = []

    def _allowed_file(self, url: str) -> bool:
        parsed = urlparse(url)
        if parsed.netloc not in ("", "localhost"):
            return False
        path = Path(unquote(parsed.path)).resolve()
        return path.is_file() and any(path.is_relative_to(d) for d in self.allowed_dirs)

    def fetch(self, url, headers=None):
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data" or (scheme == "file" and self._allowed_file(url)):
            return super().fetch(url, headers)
        self.refused.append(url[:200])
        log.debug("refused to fetch %s", url[:200])
        raise ValueError(f"assess does not fetch external resources: {url[:80]}")
