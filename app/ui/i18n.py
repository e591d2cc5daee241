"""Language: follows the OS (QLocale.system()) unless Settings overrides it (QSettings "language")."""
from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator

from app.ui.look import resources_dir

LANGUAGES = {"": "system", "en": "English", "ko": "한국어"}
_installed: list[QTranslator] = []


def chosen_language() -> str:
    """'' (follow the OS), 'en' or 'ko'."""
    value = QSettings().value("language", "", type=str) or ""
    return value if value in LANGUAGES else ""


def effective_language(choice: str | None = None) -> str:
    choice = chosen_language() if choice is None else choice
    if choice:
        return choice
    return "ko" if QLocale.system().language() == QLocale.Language.Korean else "en"


def install_translator(app: QCoreApplication, language: str | None = None) -> str:
    """Install the translation for `language` (or the chosen / system one); returns the language used."""
    lang = language or effective_language()
    for t in _installed:
        app.removeTranslator(t)
    _installed.clear()
    if lang == "ko":
        folder = resources_dir() / "translations"
        translator = QTranslator(app)
        if translator.load(str(folder / "routing_ml_ko.qm")):
            app.installTranslator(translator)
            _installed.append(translator)
        qt_base = QTranslator(app)  # Qt's own dialogs (file dialog, message box buttons)
        from PySide6.QtCore import QLibraryInfo
        if qt_base.load("qtbase_ko", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
            app.installTranslator(qt_base)
            _installed.append(qt_base)
    QLocale.setDefault(QLocale(QLocale.Language.Korean if lang == "ko" else QLocale.Language.English))
    return lang
