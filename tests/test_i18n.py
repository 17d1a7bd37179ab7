"""The report in Chinese: one real zh PDF read back with pypdf (text, embedded fonts, glyphs through the embedded
font's cmap), the message catalogue against a fresh `pybabel extract`, zh number formats, the language option and
its errors, rubric translations, and identical scores in both languages."""

from __future__ import annotations

import gettext
import io
import re

import pytest
from pypdf import PdfReader

from assess.errors import UserError
from assess.i18n import LOCALE_DIR, check_language
from assess.pipeline import RunOptions, run
from assess.report import render, render_html
from assess.report.format import date, fmt, money, pct

import helpers
from helpers import EXAMPLES, FULL, ROOT, write

MODEL_LAB = EXAMPLES / "model-lab" / "project.yaml"
PO = LOCALE_DIR / "zh" / "LC_MESSAGES" / "assess.po"
CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]")
AREAS_ZH = ("市场", "技术", "数据", "算力", "商业模式", "风险")


@pytest.fixture(scope="module")
def results() -> dict[str, dict]:
    options = {lang: RunOptions(date="2026-11-23", run_bench=False, language=lang, draws=400) for lang in ("zh", "en")}
    return {lang: run(MODEL_LAB, o) for lang, o in options.items()}


@pytest.fixture(scope="module")
def zh_pdf(results) -> PdfReader:
    return PdfReader(io.BytesIO(render(results["zh"], "pdf")))


_PAGES: dict[int, tuple[PdfReader, list[str]]] = {}


def _pages(reader: PdfReader) -> list[str]:
    """Each page's text, extracted once per reader (a zh report takes pypdf about a second)."""
    if id(reader) not in _PAGES:
        _PAGES[id(reader)] = (reader, [page.extract_text() for page in reader.pages])  # the reader keeps its id
    return _PAGES[id(reader)][1]


def _text(reader: PdfReader) -> str:
    return "".join("".join(_pages(reader)).split())  # CJK wraps anywhere


def _fonts(reader: PdfReader) -> dict[str, dict]:
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"].get("/Font", {}).values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    return fonts


def _to_unicode(font) -> dict[int, str]:
    """CID → text from the font's /ToUnicode CMap (bfchar and bfrange entries)."""
    data = font["/ToUnicode"].get_object().get_data().decode("latin-1")
    mapping: dict[int, str] = {}

    def text(hexes: str) -> str:
        return bytes.fromhex(hexes).decode("utf-16-be")

    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for cid, uni in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[int(cid, 16)] = text(uni)
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            for offset in range(int(high, 16) - int(low, 16) + 1):
                mapping[int(low, 16) + offset] = chr(int(start, 16) + offset)
    return mapping


# --- the zh PDF -------------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_zh_pdf_reads_back_in_chinese(zh_pdf, results):
    text = _text(zh_pdf)
    overall = results["zh"]["overall"]
    assert overall["verdict_label"] != overall["verdict"] and overall["verdict_label"] in text
    for title in AREAS_ZH:
        assert title in text, title
    assert "可触达市场是否每年至少约10亿美元" in text  # a bundled rubric question, translated
    assert re.search(r"\d[\d,.]*(亿|万)元", text), "no amount in 亿 or 万"
    assert "2026年11月23日" in text and "执行摘要" in text and "向创始人提出的问题" in text
    assert "第1页，共" in text  # the page footer, from the catalogue through CSS
    assert "星衡智能" in text  # the founder's own Chinese text


@pytest.mark.slow  # shares the zh PDF render with the tests around it
def test_model_lab_archetype_renders_in_chinese(zh_pdf, results):
    """The archetype check of test_company.py, on the example whose PDF is this zh one."""
    text = "\n".join(_pages(zh_pdf)).replace("\x00", "")
    helpers.check_archetype_pdf("model-lab", results["zh"], text)


@pytest.mark.slow  # shares the zh PDF render with the tests around it
def test_zh_pdf_embeds_a_cjk_font_with_a_real_bold(zh_pdf):
    names = list(_fonts(zh_pdf))
    assert any(n.endswith("+Assess-Noto-Sans-SC") for n in names), names
    assert any(n.endswith("+Assess-Noto-Sans-SC-Bold") for n in names), names  # not a synthesised bold


def _check_cjk_glyphs(reader: PdfReader) -> set[str]:
    """Through each embedded font program's own cmap: the glyph a CJK character uses is the one the font maps that
    character to, it is not .notdef, and it has an outline. Returns the CJK characters checked."""
    from fontTools.pens.boundsPen import BoundsPen
    from fontTools.ttLib import TTFont

    drawn: set[str] = set()
    for name, font in _fonts(reader).items():
        descendant = font["/DescendantFonts"][0].get_object()
        assert descendant.get("/CIDToGIDMap", "/Identity") == "/Identity", name
        descriptor = descendant["/FontDescriptor"].get_object()
        stream = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
        program = TTFont(io.BytesIO(stream.get_object().get_data()))
        order = program.getGlyphOrder()
        cmap = program.getBestCmap() or {}
        glyphs = program.getGlyphSet()
        for cid, chars in _to_unicode(font).items():
            cjk = [ch for ch in chars if CJK.match(ch)]
            if not cjk or chars.isspace() or chars == "\u3000":
                continue
            assert 0 < cid < len(order), f"{name}: {chars!r} drawn with .notdef"
            glyph = order[cid]
            mapped = cmap.get(ord(cjk[0]))
            assert mapped == glyph, f"{name}: {chars!r} is drawn with glyph {glyph}, its cmap says {mapped}"
            pen = BoundsPen(glyphs)
            glyphs[glyph].draw(pen)
            assert pen.bounds is not None, f"{name}: {chars!r} has an empty glyph"
            drawn.update(cjk)
    on_pages = set(CJK.findall(_text(reader)))
    assert on_pages and on_pages <= drawn, sorted(on_pages - drawn)[:20]
    return drawn


@pytest.mark.slow
def test_every_cjk_character_maps_to_a_real_glyph(zh_pdf):
    assert len(_check_cjk_glyphs(zh_pdf)) > 300


CHINESE_FULL = (FULL.replace("name: Acme AI", "name: 星衡智能 (Xingheng AI)")
                .replace("tagline: Classifies support tickets", "tagline: 面向金融的私有化大模型")
                .replace("{name: BigCo, strength: strong}", "{name: 国内头部大模型公司, strength: dominant}")
                .replace("Works inside the ticketing tools teams already use, with no integration work.",
                         "私有化部署与国产算力适配。"))


@pytest.fixture(scope="module")
def twin_pdfs(tmp_path_factory) -> tuple[dict, bytes, bytes]:
    """An English report on a project with a Chinese name, run and rendered twice from scratch with
    SOURCE_DATE_EPOCH pinned: (the first result, the first PDF, the second PDF). One pair of real renders serves
    the byte-identity test and the CJK-text-in-an-English-PDF test."""
    path = write(tmp_path_factory.mktemp("twin"), CHINESE_FULL)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # 2026-01-01
        first, second = run(path, RunOptions(draws=400)), run(path, RunOptions(draws=400))
        return first, render(first, "pdf"), render(second, "pdf")


@pytest.mark.slow
def test_a_chinese_name_in_an_english_pdf(twin_pdfs):
    result, pdf, _ = twin_pdfs
    reader = PdfReader(io.BytesIO(pdf))
    text = _text(reader)
    assert "Executivesummary" in text and result["overall"]["verdict"].replace(" ", "") in text
    for chinese in ("星衡智能", "面向金融的私有化大模型", "国内头部大模型公司", "私有化部署与国产算力适配"):
        assert chinese in text, chinese
    assert {"星", "衡", "智", "能"} <= _check_cjk_glyphs(reader)


@pytest.mark.slow
def test_pdf_is_byte_identical_with_pinned_date(twin_pdfs):
    """Two runs from scratch, two renders, the CJK font subset included: the same bytes (the determinism test of
    docs/security.md, beside test_report.py::test_same_input_same_json_and_html)."""
    first, pdf, again = twin_pdfs
    assert first["reproducibility"]["date"] == "2026-01-01"
    assert pdf.startswith(b"%PDF") and pdf == again


# --- the same project in both languages -------------------------------------------------------------------------

DISPLAY_KEYS = {"language", "title", "question", "advice", "target", "red_flag", "message", "note", "basis",
                "verdict_label", "why", "area", "fatal_flags", "warnings",
                "label", "summary"}  # robustness: input and figure names, the cover line


def _differences(a, b, path=()):
    if isinstance(a, dict) and isinstance(b, dict):
        assert a.keys() == b.keys(), path
        for key in a:
            yield from _differences(a[key], b[key], (*path, key))
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, (*path, i))
    elif a != b:
        yield path


def test_zh_and_en_results_differ_only_in_display_strings(results):
    zh, en = results["zh"], results["en"]
    assert zh["overall"]["score"] == en["overall"]["score"] and zh["overall"]["verdict"] == en["overall"]["verdict"]
    assert [a["score"] for a in zh["areas"]] == [a["score"] for a in en["areas"]]
    differing = list(_differences(zh, en))
    assert differing, "nothing was translated"
    for path in differing:
        keys = [k for k in path if isinstance(k, str)]
        assert keys[-1] in DISPLAY_KEYS or keys[0] in DISPLAY_KEYS, path
    assert zh["language"] == "zh" and en["language"] == "en"
    assert en["overall"]["verdict_label"] == en["overall"]["verdict"]


def test_a_chinese_name_in_an_english_report_and_the_language_default(tmp_path):
    project = write(tmp_path, "name: 星衡智能 (Xingheng AI)\nstage: seed\n")
    result = run(project, RunOptions(date="2026-11-23", run_bench=False, draws=0))
    assert result["language"] == "en"  # no language: field, no --lang
    html = render(result, "html").decode("utf-8")
    assert "星衡智能" in html and "Executive summary" in html and 'lang="en"' in html
    assert run(MODEL_LAB, RunOptions(date="2026-11-23", run_bench=False, draws=0))["language"] == "zh"  # language: zh


# --- the catalogue ----------------------------------------------------------------------------------------------

def test_catalogue_translates_every_extracted_message(tmp_path):
    """A fresh `pybabel extract` over the templates and the code: every message has a zh translation, and the
    compiled .mo that ships is the .po compiled."""
    from babel.messages.frontend import CommandLineInterface
    from babel.messages.pofile import read_po

    pot = tmp_path / "fresh.pot"
    CommandLineInterface().run(["pybabel", "-q", "extract", "-F", str(ROOT / "babel.cfg"), "--omit-header",
                                "-o", str(pot), str(ROOT / "assess"), str(ROOT / "templates")])
    extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(pot.open("rb")) if m.id}
    catalogue = read_po(PO.open("rb"), locale="zh")
    translated = {(m.id if isinstance(m.id, str) else m.id[0]): m for m in catalogue if m.id}
    missing = sorted(extracted - translated.keys())
    assert not missing, f"run pybabel update (docs/i18n.md); not in assess.po: {missing[:10]}"
    empty = sorted(k for k in extracted if not all(translated[k].string if isinstance(translated[k].string, tuple)
                                                   else [translated[k].string]) or translated[k].fuzzy)
    assert not empty, f"untranslated or fuzzy in assess.po: {empty[:10]}"
    with (PO.parent / "assess.mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    for key, message in translated.items():
        if isinstance(message.id, str) and message.string:
            assert compiled.gettext(key) == message.string, f"assess.mo is stale: pybabel compile ({key!r})"


def test_bundled_font_covers_all_of_assess_own_chinese():
    from assess.report.fonts import bundled_codepoints

    texts = [PO.read_text(encoding="utf-8"), (ROOT / "templates" / "project.zh.yaml.example").read_text("utf-8")]
    texts += [p.read_text(encoding="utf-8") for p in (ROOT / "rubrics").glob("*.yaml")]
    used = {ord(ch) for text in texts for ch in CJK.findall(text)}
    missing = sorted(chr(c) for c in used - bundled_codepoints())
    assert not missing, f"rebuild the font subset (python tools/build_cjk_font.py): {''.join(missing)}"


# --- formats ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, unit, currency, shown", [
    (4.73e9, "currency", "CNY", "47.3亿元"), (2.5e7, "currency", "CNY", "2,500万元"),
    (8000, "currency", "CNY", "8,000元"), (1.2e8, "currency", "USD", "1.2亿美元"),
    (3e6, "currency", "JPY", "300万日元"), (5e4, "currency", "BRL", "5万 BRL"),
    (4.73e9, "currency/yr", "CNY", "47.3亿元/年"), (0.125, "fraction", "CNY", "12.5%"),
    (1.2e12, "currency", "CNY", "1.2万亿元"),
    (None, "fraction", "CNY", "未知"), (True, "bool", "CNY", "是"), (18, "months", "CNY", "18 个月"),
])
def test_zh_formats(value, unit, currency, shown):
    assert fmt(value, unit, currency, lang="zh") == shown


def test_money_percent_and_dates_in_both_languages():
    assert money(4.73e9, "CNY", lang="zh") == "47.3亿元" and money(4.73e9, "CNY") == "CNY 4.73B"
    assert pct(0.125, "zh") == "12.5%" and pct(0.125) == "12 %"
    assert date("2026-11-23", "zh") == "2026年11月23日" and date("2026-11-23") == "2026-11-23"


# --- bad input --------------------------------------------------------------------------------------------------

def test_unsupported_language_lists_the_supported_ones(invoke):
    result = invoke("run", MODEL_LAB, "--lang", "fr", "--format", "json")
    assert result.exit_code == 2 and "supported: en, zh" in result.output + result.stderr
    with pytest.raises(UserError, match="supported: en, zh"):
        check_language("fr")


def test_project_language_field_is_validated(tmp_path, invoke):
    result = invoke("validate", write(tmp_path, "name: X\nlanguage: fr\n"))
    assert result.exit_code == 2 and "language" in result.output + result.stderr


def test_rubric_translation_with_a_placeholder_mismatch_is_a_located_error(tmp_path, invoke):
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    (rubrics / "extra.yaml").write_text(
        "id: extra\ntitle: Extra\nversion: '1'\ncriteria:\n"
        "  - id: tam\n    question: {en: 'Is the market {value}?', zh: '市场是否足够大？'}\n"
        "    fact: market.tam_for_scoring\n    weight: 1\n    bands: [{gte: 0, score: 3}]\n"
        "    advice: Size it.\n    source: test\n", encoding="utf-8")
    result = invoke("run", MODEL_LAB, "--rubrics", rubrics, "--format", "json")
    out = result.output + result.stderr
    assert result.exit_code == 2 and "extra.yaml" in out and "question.zh" in out and "{value}" in out
    assert re.search(r"extra\.yaml:\d+", out), out


def test_user_rubric_without_translation_falls_back_to_english_once(tmp_path):
    rubrics = tmp_path / "rubrics"
    rubrics.mkdir()
    (rubrics / "extra.yaml").write_text(
        "id: extra\ntitle: Extra checks\nversion: '1'\ncriteria:\n"
        "  - id: tam\n    question: Is the market big enough for us?\n    fact: market.tam_for_scoring\n"
        "    weight: 1\n    bands: [{gte: 0, score: 3}]\n    advice: Size it.\n    source: test\n"
        "  - id: growth\n    question: Is it growing?\n    fact: market.growth_rate\n"
        "    weight: 1\n    bands: [{gte: 0, score: 3}]\n    advice: Show growth.\n    source: test\n",
        encoding="utf-8")
    result = run(MODEL_LAB, RunOptions(date="2026-11-23", run_bench=False, rubrics_dir=rubrics))
    extra = next(a for a in result["areas"] if a["id"] == "extra")
    assert extra["title"] == "Extra checks" and extra["criteria"][0]["question"] == "Is the market big enough for us?"
    notes = [w for w in result["warnings"] if "译文" in w]
    assert len(notes) == 1 and "extra" in notes[0], result["warnings"]
    assert next(a for a in result["areas"] if a["id"] == "market")["title"] == "市场"


def test_init_lang_zh_writes_chinese_comments_and_a_valid_project(tmp_path, invoke):
    result = invoke("init", tmp_path, "--lang", "zh")
    assert result.exit_code == 0
    text = (tmp_path / "project.yaml").read_text(encoding="utf-8")
    comments = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    assert sum(bool(CJK.search(c)) for c in comments) > len(comments) / 2 and "language: zh" in text
    assert invoke("validate", tmp_path / "project.yaml").exit_code == 0


def test_charts_draw_chinese_labels_with_the_bundled_font():
    import warnings

    from assess.report.charts import bar_chart, radar_chart

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph … missing from font(s)" for a box
        radar_chart(list(AREAS_ZH), [50, None, 70, 80, 40, 60], lang="zh")
        bar_chart(["国内头部大模型公司", "开源"], [0.5, 0.7], "缺失单元格（%）")


def test_benchmark_answers_and_curve_notes_have_chinese_text():
    from assess.bench.answers import answer_questions
    from assess.bench.curve import fit_learning_curve
    from assess.i18n import translate

    curve = fit_learning_curve([100, 200], [0.80, 0.85], "accuracy", True, 0.95, n_available=300)  # a note, no fit
    result = {"metric": "accuracy", "higher_is_better": True, "best": {"name": "linear", "score": 0.85},
              "dummy": {"name": "dummy", "score": 0.5}, "target_score": 0.95, "learning_curve": curve, "budget": 10,
              "baselines_finished": 1}
    for qa in answer_questions(result):
        for text in qa.values():
            shown = translate(text, "zh")
            assert CJK.search(shown) and shown != str(text), str(text)
    answer = translate(answer_questions(result)[2]["answer"], "zh")
    assert answer == "未拟合学习曲线：已测 2 个规模；拟合曲线至少需要 3 个。", answer  # nested messages translated too


@pytest.mark.slow
def test_the_benchmark_section_speaks_chinese(tmp_path):
    helpers.text_dataset(200).to_csv(tmp_path / "d.csv", index=False)
    project = write(tmp_path, "name: 星衡\nlanguage: zh\ndata:\n  path: d.csv\n  target: label\n"
                              "tech:\n  target: {metric: accuracy, value: 0.99}\n")
    html = render_html(run(project, RunOptions(draws=0, budget=20, date="2026-01-01")))
    section = html[html.index('id="bench"'):html.index("</section>", html.index('id="bench"'))]
    for english in ("Is the task learnable", "cheap model", "more data", "Model:", "No power law", "Fit err", "ok<"):
        assert english not in section, english
    assert "用这些数据能学会这个任务吗" in section and "模型：" in section and "完成" in section


def _chart_page(labels: list[str]) -> str:
    """An English page whose only CJK text, if any, is in a chart's labels (SVG <text>, laid out by WeasyPrint)."""
    from assess.report.charts import bar_chart

    return f'<html lang="en"><body><p>Class balance</p><img src="{bar_chart(labels, [3, 1], "rows")}"></body></html>'


def test_a_cjk_label_only_in_a_chart_loads_and_embeds_the_cjk_font():
    from assess.report import render_pdf

    reader = PdfReader(io.BytesIO(render_pdf(_chart_page(["电子邮件", "spam"]))))
    assert any(name.endswith("+Assess-Noto-Sans-SC") for name in _fonts(reader)), list(_fonts(reader))
    assert "电子邮件" in _text(reader) and {"电", "子", "邮", "件"} <= _check_cjk_glyphs(reader)


@pytest.mark.filterwarnings("ignore:Glyph:UserWarning")  # matplotlib measures the boxes it cannot draw
def test_a_chart_label_no_font_draws_stops_the_render(monkeypatch):
    from assess.report import fonts, render_pdf

    monkeypatch.setattr(fonts, "_installed_covers", lambda codepoints: False)  # a machine with no CJK font at all
    with pytest.raises(UserError, match=r"Korean.*3 characters: 한국어"):
        render_pdf(_chart_page(["한국어", "spam"]))


def test_text_no_font_draws_stops_the_render_unless_allowed(monkeypatch):
    from assess.report import fonts

    monkeypatch.setattr(fonts, "_installed_covers", lambda codepoints: False)  # a machine with no CJK font at all
    assert fonts.check_glyphs("星衡智能：可行性评估") == []  # the bundled font draws it
    with pytest.raises(UserError, match=r"Korean.*3 characters: 한국어.*apt install fonts-noto-cjk"):
        fonts.check_glyphs("星衡 한국어")
    warning = fonts.check_glyphs("한국어", allow_missing=True)
    assert len(warning) == 1 and "--allow-missing-glyphs" in warning[0]
