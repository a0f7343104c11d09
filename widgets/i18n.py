"""Language: the window's words come from Qt translation files (Chinese is the source
language, ``resources/i18n/console_en.qm`` holds English); domain vocabulary comes from
``console.labels``. ``--lang`` and the 视图 → 语言 menu switch both together."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QTranslator

from console.labels import Labels

I18N_DIR = Path(__file__).resolve().parents[1] / "resources" / "i18n"
LANGS = ("zh", "en")

_state = {"lang": "zh", "translator": None}


def set_language(lang: str) -> Labels:
    """Install the translator for ``lang`` (zh needs none: the sources are Chinese)."""
    app = QCoreApplication.instance()
    lang = lang if lang in LANGS else "zh"
    old = _state["translator"]
    if old is not None:
        app.removeTranslator(old)
        _state["translator"] = None
    if lang != "zh":
        tr = QTranslator(app)
        if not tr.load(str(I18N_DIR / f"console_{lang}.qm")):
            raise FileNotFoundError(I18N_DIR / f"console_{lang}.qm")
        app.installTranslator(tr)
        _state["translator"] = tr
    QLocale.setDefault(QLocale(QLocale.Chinese if lang == "zh" else QLocale.English))
    _state["lang"] = lang
    return Labels(lang)


def language() -> str:
    return _state["lang"]


def labels() -> Labels:
    return Labels(_state["lang"])
