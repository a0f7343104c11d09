"""Language: the window's words come from Qt translation files (Chinese is the source
language, ``resources/i18n/console_en.qm`` holds English); domain vocabulary comes from
``console.labels``. ``--lang`` and the 视图 → 语言 menu switch both together."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from console.labels import Labels
from resources import resource_path

I18N_DIR = resource_path("i18n")
LANGS = ("zh", "en")


class _Installed:
    """The language shown and the translators installed for it (ours, Qt's own)."""

    lang: str = "zh"
    translator: QTranslator | None = None
    qt: QTranslator | None = None


_state = _Installed()
QT_CATALOGS = {"zh": "qtbase_zh_CN"}  # Qt's own words (Cancel, Yes…); English needs none


def set_language(lang: str) -> Labels:
    """Install the translator for ``lang`` (zh needs none: the sources are Chinese)."""
    app = QCoreApplication.instance()
    if app is None:
        raise RuntimeError("set_language: no QApplication yet")
    lang = lang if lang in LANGS else "zh"
    if _state.translator is not None:
        app.removeTranslator(_state.translator)
        _state.translator = None
    if _state.qt is not None:
        app.removeTranslator(_state.qt)
        _state.qt = None
    if lang in QT_CATALOGS:
        qt = QTranslator(app)
        if qt.load(QT_CATALOGS[lang], QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt)
            _state.qt = qt
    if lang != "zh":
        tr = QTranslator(app)
        if not tr.load(str(I18N_DIR / f"console_{lang}.qm")):
            raise FileNotFoundError(I18N_DIR / f"console_{lang}.qm")
        app.installTranslator(tr)
        _state.translator = tr
    QLocale.setDefault(
        QLocale(QLocale.Language.Chinese if lang == "zh" else QLocale.Language.English)
    )
    _state.lang = lang
    return Labels(lang)


def language() -> str:
    return _state.lang


def labels() -> Labels:
    return Labels(_state.lang)


def penalty_text(penalty: dict) -> str:
    """An enforcement decision's penalty in words (警告、罚款 N 元、没收 N 元, or 不予处罚): the
    enforcement panel's detail and the wall's 阳光执法 scene say it alike."""

    def tr(text: str) -> str:
        return QCoreApplication.translate("Penalty", text)

    parts = []
    if penalty.get("warning"):
        parts.append(tr("警告"))
    if penalty.get("fine"):
        parts.append(tr("罚款 %1 元").replace("%1", f"{penalty['fine']:,}"))
    if penalty.get("confiscation"):
        parts.append(tr("没收 %1 元").replace("%1", f"{penalty['confiscation']:,}"))
    return "、".join(parts) or tr("不予处罚")
