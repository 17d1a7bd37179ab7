"""Hostile text in every field: rendered literally, nothing fetched, nothing attached."""

from __future__ import annotations

import io
import socket
import threading

import pytest
from pypdf import PdfReader

from assess.pipeline import RunOptions, run
from assess.report import render_html, render_pdf
from assess.report.fetcher import RestrictedFetcher

from helpers import write


class Listener:
    """A loopback TCP listener that counts connections; nothing should ever reach it."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.hits = 0
        self.stop = False
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.hits += 1
            conn.close()

    def close(self):
        self.stop = True
        self.thread.join(timeout=2)
        self.sock.close()


@pytest.fixture
def listener():
    server = Listener()
    yield server
    server.close()


def payloads(port: int, secret_file: str) -> list[str]:
    return [
        f'<img src="file://{secret_file}">',
        f'<img src="http://127.0.0.1:{port}/x.png">',
        f'<link rel="attachment" href="file://{secret_file}">',
        f'<style>@import url("http://127.0.0.1:{port}/a.css");</style>',
        "<script>alert(1)</script>",
        f'<p style="background: url(http://127.0.0.1:{port}/bg.png)">x</p>',
        f"url(http://127.0.0.1:{port}/u.png)",
    ]


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def hostile_yaml(payload: str, name: str | None = None, dataset: str = "") -> str:
    """`payload` in every free-text field; `name` (at most 200 characters) as the venture's name; `dataset`, when
    given, as data.path (target column: label)."""
    quoted = _quoted(payload)
    data = f"  path: {dataset}\n  target: label\n" if dataset else ""
    return f"""\
name: {_quoted(name if name is not None else payload)}
tagline: {quoted}
market:
  differentiation: {quoted}
  competitors: [{{name: {quoted}, strength: strong}}]
tech:
  base_model: null
data:
{data}  license: {quoted}
  datasheet: {{motivation: {quoted}, composition: {quoted}, collection: {quoted}, preprocessing: {quoted},
              uses: {quoted}, distribution: {quoted}, maintenance: {quoted}}}
compute:
  model_params: 1.0e9
  training_type: full
  training_tokens: 1.0e9
  gpu: {quoted}
  gpus: [{{name: {quoted}, memory_gb: 80, bandwidth_gbs: 2000, bf16_tflops: 300}}]
"""


def hostile_dataset(path, column: str) -> None:
    """A learnable two-class table whose text column is named `column` and whose cells repeat it."""
    rows = [f'"{column.replace(chr(34), chr(34) * 2)} is what message {i} says, {"good" if i % 2 else "bad"}",'
            f'{"a" if i % 2 else "b"}' for i in range(60)]
    header = '"' + column.replace('"', '""') + '",label'
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")


@pytest.mark.slow
def test_every_payload_renders_literally_and_fetches_nothing(tmp_path, listener):
    """All payloads at once, in every free-text field of one project and as the name and cells of its dataset's
    text column: one pipeline run (the benchmark included), one HTML, one PDF."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET-CONTENT", encoding="utf-8")
    attacks = payloads(listener.port, str(secret))
    column = f'<img src="http://127.0.0.1:{listener.port}/col.png">'
    hostile_dataset(tmp_path / "d.csv", column)
    project = write(tmp_path, hostile_yaml(" ¦ ".join(attacks), name=attacks[0], dataset="d.csv"))
    result = run(project, RunOptions(draws=0, budget=6))
    assert result["evidence"]["bench"]["features"]["text"] == [column]
    html = render_html(result)
    assert "TOP-SECRET-CONTENT" not in html
    assert column not in html and f"&lt;img src=&#34;http://127.0.0.1:{listener.port}/col.png" in html
    pdf = render_pdf(html)  # what render(result, "pdf") does with the HTML above
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages).replace("\n", "").replace(" ", "")
    for payload in attacks:
        if "<" in payload:
            assert payload not in html  # escaped, never live markup
        assert payload.replace(" ", "")[:30] in text, payload  # shown as literal text
    assert column.replace(" ", "") in text  # the column name, shown as literal text
    assert b"TOP-SECRET-CONTENT" not in pdf
    assert not reader.attachments
    assert "/EmbeddedFiles" not in str(reader.trailer["/Root"])
    assert listener.hits == 0


def test_user_text_never_reaches_css(tmp_path):
    marker = "zz-marker-in-css"
    result = run(write(tmp_path, hostile_yaml(marker)))
    html = render_html(result)
    for block in html.split("<style")[1:]:
        assert marker not in block.split("</style>")[0]
    for chunk in html.split('style="')[1:]:
        assert marker not in chunk.split('"')[0]


def test_fetcher_refuses_everything_but_data_and_bundled_files(tmp_path, listener):
    from assess.resources import bundled_dir

    templates = bundled_dir("templates")
    fetcher = RestrictedFetcher([templates])
    outside = tmp_path / "outside.txt"
    outside.write_text("x")
    for url in (outside.as_uri(), f"http://127.0.0.1:{listener.port}/", "https://example.com/a.png",
                "ftp://127.0.0.1/x", (templates / ".." / ".." / "etc" / "passwd").as_uri()):
        with pytest.raises(ValueError, match="does not fetch"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"
    assert fetcher.fetch((templates / "report.css").as_uri()).read().startswith(b"/*")
    assert listener.hits == 0


def test_hostile_html_in_template_context_is_blocked_at_render(tmp_path, listener):
    # Even markup that reached WeasyPrint (a trusted template gone wrong) cannot fetch or attach.
    html = (f'<html><body><img src="http://127.0.0.1:{listener.port}/i.png">'
            f'<link rel="attachment" href="{(tmp_path / "a.txt").as_uri()}">ok</body></html>')
    (tmp_path / "a.txt").write_text("ATTACHED")
    pdf = render_pdf(html)
    assert b"ATTACHED" not in pdf
    assert not PdfReader(io.BytesIO(pdf)).attachments
    assert listener.hits == 0


def test_benchmark_failure_is_a_warning_in_run(tmp_path):
    (tmp_path / "d.csv").write_text("x,label\n" + "".join(f"{i},same\n" for i in range(30)))
    result = run(write(tmp_path, "name: One Class\ndata:\n  path: d.csv\n  target: label\n"),
                 RunOptions(draws=0, budget=5))
    assert any(w.startswith("benchmark skipped: target 'label' has a single class") for w in result["warnings"])
    assert "bench" not in result["evidence"] and "data" in result["evidence"]
