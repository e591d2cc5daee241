"""The desktop window (PySide6). The only package that imports Qt; it calls app.services and
holds no business logic. Long work runs on workers (app.ui.workers) and reports back by signal.

PySide6 6.12 wheels drop a reference to None on every Qt call that returns None under Python
3.11, which aborts the interpreter after a few minutes of use; pyproject.toml pins below it and
tests/ui/test_window.py::test_many_qt_calls_do_not_lose_references guards the pin."""
