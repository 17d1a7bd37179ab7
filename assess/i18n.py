"""Report languages: the gettext catalogues (managed with Babel, see docs/i18n.md) and the language option.

Only the display layer is translated: scores, ids and JSON keys stay the same in every language. English is the
source language, so its "translation" is the identity and English output does not depend on any catalogue.
"""

from __future__ import annotations

import functools
import gettext as _gettext
from pathlib import Path

from .errors import Problem, UserError

LANGUAGES = ("en", "zh")
DEFAULT = "en"
DOMAIN = "assess"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
BABEL_LOCALES = {"en": "en_US", "zh": "zh_CN"}  # the Babel locale whose number and date rules a language uses


def check_language(lang: str | None, field: str = "--lang") -> str:
    """The language code, or a UserError that lists the supported ones."""
    if lang is None:
        return DEFAULT
    code = str(lang).strip().lower().replace("_", "-")
    if code in ("zh-cn", "zh-hans", "cn"):
        code = "zh"
    if code not in LANGUAGES:
        raise UserError(Problem(f"unsupported language {lang!r}; supported: {', '.join(LANGUAGES)}", field=field))
    return code


@functools.cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The compiled catalogue for `lang` (assess/locale/<lang>/LC_MESSAGES/assess.mo); English needs none."""
    lang = check_language(lang)
    if lang == DEFAULT:
        return _gettext.NullTranslations()
    from babel.support import Translations

    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.is_file():
        raise FileNotFoundError(f"message catalogue {mo} not found; the installation is incomplete")
    return Translations.load(str(LOCALE_DIR), [lang], DOMAIN)


def gettext(message: str, lang: str = DEFAULT) -> str:
    """`message` (an English msgid) in `lang`; itself when there is no translation."""
    return message if lang == DEFAULT else translations(lang).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark for extraction, translate later"
    return message


def babel_locale(lang: str) -> str:
    return BABEL_LOCALES[check_language(lang)]


# Values from project.yaml or the result that the report prints as words; marked here so that extraction puts them in
# the catalogue and templates can translate them at render time with the `t` filter ({{ k.severity|t }}).
DISPLAY_WORDS = (
    N_("weak"), N_("moderate"), N_("strong"), N_("dominant"),  # market.competitors[].strength
    N_("open"), N_("pending"), N_("resolved"),  # risks[].status
    N_("low"), N_("medium"), N_("high"), N_("critical"),  # risks[].severity
    N_("litigation"), N_("export-control"), N_("sanctions"), N_("regulatory-approval"), N_("product-safety"),
    N_("recall"), N_("data-protection"), N_("key-person"), N_("ip"), N_("other"),  # risks[].kind
    N_("bundled"),  # reproducibility.rubrics[].origin
    N_("idea"), N_("pre-seed"), N_("seed"), N_("series-a"), N_("series-b"), N_("series-c"), N_("growth"),
    N_("pre-ipo"), N_("public"),  # stage
    N_("self-hosted"), N_("hosted-api"), N_("self-host"), N_("API"),  # serving mode; make-or-buy's cheaper side
    N_("pretrain"), N_("full"), N_("lora"), N_("qlora"),  # compute.training_type
    N_("ok"), N_("timeout"), N_("failed"), N_("skipped"),  # a baseline's status in the benchmark's leaderboard
)


class Message(str):
    """An English message (a plain str everywhere: JSON, logs, tests) that remembers its msgid and parameters, so
    that the report can show it in another language: `Message(N_("the {gpu} price is undated"), gpu=name)`."""

    msgid: str
    params: dict

    def __new__(cls, msgid: str, **params) -> Message:
        text = super().__new__(cls, msgid.format(**params))
        text.msgid = msgid
        text.params = params
        return text

    def __reduce__(self):  # copies and pickles keep the msgid
        return (_rebuild, (self.msgid, self.params))

    def in_language(self, lang: str) -> str:
        if lang == DEFAULT:
            return str(self)
        return gettext(self.msgid, lang).format(**{k: translate(v, lang) for k, v in self.params.items()})


def _rebuild(msgid: str, params: dict) -> Message:
    return Message(msgid, **params)


def translate(text: str, lang: str) -> str:
    """A warning or note in `lang`: a Message is translated, any other text is shown as it is."""
    return text.in_language(lang) if isinstance(text, Message) else text
