"""The mapping profile: which one, and (for admins) its columns, settings and lookup tables."""
from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (QAbstractItemView, QComboBox, QFileDialog, QHBoxLayout, QLabel,
                               QPushButton, QTableView, QTabWidget, QVBoxLayout, QWidget)

from app.services.export.profile import ON_MISSING, MappingProfile
from app.services.export.profiles import StoredProfile
from app.ui.export.models import ColumnsModel, PairsModel
from app.ui.widgets import fit_columns, fit_to_contents, repaint_tab_widget_only_when_moved

def _table(name: str) -> QTableView:
    t = QTableView()
    t.setObjectName(name)
    t.setAlternatingRowColors(True)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    t.verticalHeader().setDefaultSectionSize(22)
    t.horizontalHeader().setHighlightSections(False)
    t.setWordWrap(False)
    return t


class ProfilePanel(QWidget):
    """Choose a profile; an admin edits it here and saves it (the tab runs the store work)."""

    profile_chosen = Signal(str)          # name
    save_requested = Signal(object)       # the edited MappingProfile
    import_requested = Signal(str)        # a JSON file
    export_requested = Signal(str, str)   # profile name, JSON file
    edited = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.stored: StoredProfile | None = None
        self.profile: MappingProfile | None = None   # the working copy being edited
        self.dirty = False
        self.can_edit = False

        self.chooser = QComboBox()
        self.chooser.setObjectName("profileChooser")
        self.chooser.setMinimumWidth(140)
        self.chooser.currentTextChanged.connect(self._chosen)
        self.save_button = QPushButton(self.tr("Save profile"))
        self.save_button.clicked.connect(self._save)
        self.revert_button = QPushButton(self.tr("Revert"))
        self.revert_button.clicked.connect(self.revert)
        self.import_button = QPushButton(self.tr("Import…"))
        self.import_button.setToolTip(self.tr("Read a profile from a JSON file another site shared"))
        self.import_button.clicked.connect(self._import)
        self.export_button = QPushButton(self.tr("Export…"))
        self.export_button.setToolTip(self.tr("Write this profile to a JSON file to share it"))
        self.export_button.clicked.connect(self._export)
        self.state = QLabel()
        self.state.setObjectName("muted")
        self.state.setWordWrap(True)
        self.description = QLabel()
        self.description.setObjectName("muted")
        self.description.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("Profile")))
        top.addWidget(self.chooser)
        top.addWidget(self.save_button)
        top.addWidget(self.revert_button)
        top.addStretch(1)
        top.addWidget(self.import_button)
        top.addWidget(self.export_button)

        # columns of each target table
        self.table_chooser = QComboBox()
        self.table_chooser.setObjectName("targetTableChooser")
        self.table_chooser.currentIndexChanged.connect(self._show_table)
        self.rows_label = QLabel()
        self.rows_label.setObjectName("muted")
        self.columns_model = ColumnsModel(self)
        self.columns_model.dataChanged.connect(self._changed)
        self.columns_view = _table("profileColumns")
        self.columns_view.setModel(self.columns_model)
        fit_columns(self.columns_view, [150, 72, 40, 40, 160, 56, 150, 64])
        columns_page = QWidget()
        cl = QVBoxLayout(columns_page)
        cl.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Target table")))
        row.addWidget(self.table_chooser, 1)
        row.addWidget(self.rows_label)
        cl.addLayout(row)
        cl.addWidget(self.columns_view, 1)
        hint = QLabel(self.tr("Source: routing.F, operation.F, item.COLUMN, setting.NAME, user.name, export.now, "
                              "identity; empty takes the default. Transform: lookup NAME | map A=B, *=C | "
                              "minutes_to_hours."))
        hint.setObjectName("muted")
        hint.setWordWrap(True)
        cl.addWidget(hint)

        # settings an admin sets once (CoCd, PlantCd …)
        self.settings_model = PairsModel(self.tr("Setting"), self.tr("Value"), self)
        self.settings_model.dataChanged.connect(self._changed)
        self.settings_view = _table("profileSettings")
        self.settings_view.setModel(self.settings_model)
        self.settings_view.horizontalHeader().resizeSection(0, 180)
        self.settings_view.horizontalHeader().setStretchLastSection(True)

        # lookup tables (work centre by resource, employee number by account)
        self.lookup_chooser = QComboBox()
        self.lookup_chooser.setObjectName("lookupChooser")
        self.lookup_chooser.currentTextChanged.connect(self._show_lookup)
        self.on_missing = QComboBox()
        for key, text in (("error", self.tr("a missing key is an error")),
                          ("warn", self.tr("a missing key is written empty, with a warning")),
                          ("empty", self.tr("a missing key is written empty")),
                          ("keep", self.tr("a missing key is written as it is"))):
            self.on_missing.addItem(text, key)
        self.on_missing.activated.connect(self._on_missing_changed)
        self.lookup_note = QLabel()
        self.lookup_note.setObjectName("muted")
        self.lookup_note.setWordWrap(True)
        self.lookup_model = PairsModel(self.tr("Key"), self.tr("Value"), self)
        self.lookup_model.dataChanged.connect(self._lookup_edited)
        self.lookup_view = _table("lookupValues")
        self.lookup_view.setModel(self.lookup_model)
        self.lookup_view.horizontalHeader().resizeSection(0, 180)
        self.lookup_view.horizontalHeader().setStretchLastSection(True)
        self.add_pair = QPushButton(self.tr("Add row"))
        self.add_pair.clicked.connect(self._add_pair)
        self.remove_pair = QPushButton(self.tr("Remove row"))
        self.remove_pair.clicked.connect(self._remove_pair)
        lookups_page = QWidget()
        ll = QVBoxLayout(lookups_page)
        ll.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel(self.tr("Lookup")))
        row.addWidget(self.lookup_chooser, 1)
        row.addWidget(self.on_missing, 2)
        ll.addLayout(row)
        ll.addWidget(self.lookup_note)
        ll.addWidget(self.lookup_view, 1)
        row = QHBoxLayout()
        row.addWidget(self.add_pair)
        row.addWidget(self.remove_pair)
        row.addStretch(1)
        ll.addLayout(row)

        self.pages = repaint_tab_widget_only_when_moved(QTabWidget())
        self.pages.setObjectName("profilePages")
        self.pages.addTab(columns_page, self.tr("Columns"))
        self.pages.addTab(self.settings_view, self.tr("Settings"))
        self.pages.addTab(lookups_page, self.tr("Lookups"))

        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.description)
        lay.addWidget(self.pages, 1)
        lay.addWidget(self.state)
        self.set_editable(False, "")

    # ---- what the tab tells the panel -------------------------------------------------------------
    def set_profiles(self, stored: list[StoredProfile], current: str | None = None) -> None:
        names = [s.profile.name for s in stored]
        keep = current or self.chooser.currentText() or (names[0] if names else "")
        self._by_name = {s.profile.name: s for s in stored}
        self.chooser.blockSignals(True)
        self.chooser.clear()
        self.chooser.addItems(names)
        self.chooser.setCurrentText(keep if keep in names else (names[0] if names else ""))
        self.chooser.blockSignals(False)
        self._chosen(self.chooser.currentText())

    def set_editable(self, editable: bool, why_not: str) -> None:
        self.can_edit = editable
        for model in (self.columns_model, self.settings_model, self.lookup_model):
            model.editable = editable
        for w in (self.save_button, self.revert_button, self.import_button, self.add_pair, self.remove_pair,
                  self.on_missing):
            w.setEnabled(editable)
            w.setToolTip(why_not if not editable else w.toolTip())
        self._show_state()

    def current_profile(self) -> MappingProfile | None:
        """The profile as edited here (settings and lookups taken from their tables)."""
        if self.profile is None:
            return None
        self._take_pairs()
        return self.profile

    # ---- showing ----------------------------------------------------------------------------------
    def _chosen(self, name: str) -> None:
        stored = getattr(self, "_by_name", {}).get(name)
        if stored is None:
            return
        self.stored = stored
        self.profile = stored.profile.copy()
        self.dirty = False
        self.description.setText(self.profile.description)
        self.table_chooser.blockSignals(True)
        self.table_chooser.clear()
        for t in self.profile.tables:
            self.table_chooser.addItem(f"{t.name} ({len(t.columns)})", t.name)
        self.table_chooser.blockSignals(False)
        self._show_table(0)
        self.settings_model.set_pairs(self.profile.settings)
        self.lookup_chooser.blockSignals(True)
        self.lookup_chooser.clear()
        self.lookup_chooser.addItems(list(self.profile.lookups))
        self.lookup_chooser.blockSignals(False)
        self._show_lookup(self.lookup_chooser.currentText())
        self._show_state()
        self.profile_chosen.emit(name)

    def _show_table(self, index: int) -> None:
        if self.profile is None or not 0 <= index < len(self.profile.tables):
            self.columns_model.set_rows([])
            return
        t = self.profile.tables[index]
        self.columns_model.set_rows(t.columns)
        # measured from the texts (one font metrics per weight), not by resizeColumnsToContents, which
        # asks the model for every role of every cell: a third of the GUI thread's time for a table
        # of 93 columns, each role a call into Python that waits for the GIL while workers run
        fit_to_contents(self.columns_view, max_width=1000, fill=False)
        rows = {"routing": self.tr("one row per routing"), "operation": self.tr("one row per operation"),
                "resource": self.tr("one row per alternative resource"),
                "component": self.tr("one row per component")}.get(t.rows, t.rows)
        self.rows_label.setText(rows)
        self.rows_label.setToolTip(t.note)

    def select_table(self, name: str) -> None:
        i = self.table_chooser.findData(name)
        if i >= 0:
            self.table_chooser.setCurrentIndex(i)

    def _show_lookup(self, name: str) -> None:
        self._take_pairs(settings=False)
        lk = self.profile.lookups.get(name) if self.profile else None
        self._lookup_name = name if lk else None
        if lk is None:
            self.lookup_model.set_rows([])
            self.lookup_note.setText("")
            return
        self.on_missing.setCurrentIndex(max(0, ON_MISSING.index(lk.on_missing)))
        if lk.source:
            self.lookup_model.set_rows([])
            self.lookup_note.setText(self.tr("Filled from the plant's data: every resource in the imported "
                                             "routings. %1").replace("%1", lk.note))
        else:
            self.lookup_model.set_pairs(lk.values)
            self.lookup_note.setText(self.tr("Key: %1. %2").replace("%1", lk.key or "–").replace("%2", lk.note))
        dynamic = bool(lk.source)
        self.lookup_model.editable = self.can_edit and not dynamic
        self.add_pair.setEnabled(self.can_edit and not dynamic)
        self.remove_pair.setEnabled(self.can_edit and not dynamic)

    def select_lookup(self, name: str) -> None:
        self.pages.setCurrentIndex(2)
        self.lookup_chooser.setCurrentText(name)

    def _take_pairs(self, settings: bool = True) -> None:
        """Copy the edited settings and lookup rows back into the working profile."""
        if self.profile is None:
            return
        if settings:
            self.profile.settings = self.settings_model.pairs()
        name = getattr(self, "_lookup_name", None)
        lk = self.profile.lookups.get(name) if name else None
        if lk is not None and not lk.source:
            lk.values = self.lookup_model.pairs()

    def _show_state(self) -> None:
        if self.stored is None:
            self.state.setText("")
            return
        s = self.stored
        text = self.tr("Revision %1, saved by %2 on %3").replace("%1", str(s.revision)) \
            .replace("%2", s.updated_by or "–").replace("%3", f"{s.updated_at:%Y-%m-%d %H:%M}")
        if self.dirty:
            text = self.tr("Changed, not saved yet — previews use the changes. ") + text
        self.state.setText(text)

    # ---- editing ------------------------------------------------------------------------------------
    def _changed(self, *_args) -> None:
        self.dirty = True
        self._show_state()
        self.edited.emit()

    def _lookup_edited(self, *_args) -> None:
        self._take_pairs(settings=False)
        self._changed()

    def _on_missing_changed(self, index: int) -> None:
        name = getattr(self, "_lookup_name", None)
        if self.profile is not None and name in self.profile.lookups:
            self.profile.lookups[name].on_missing = self.on_missing.itemData(index)
            self._changed()

    def _add_pair(self) -> None:
        row = self.lookup_model.add_row()
        self.lookup_view.setCurrentIndex(self.lookup_model.index(row, 0))
        self.lookup_view.edit(self.lookup_model.index(row, 0))

    def add_lookup_value(self, lookup: str, key: str, value: str) -> None:
        """Add key → value to a lookup table of the working copy (as typing a new row does)."""
        self.select_lookup(lookup)
        self.lookup_model.add_row(key, value)
        self._lookup_edited()

    def _remove_pair(self) -> None:
        self.lookup_model.remove_row(self.lookup_view.currentIndex().row())
        self._lookup_edited()

    def revert(self) -> None:
        if self.stored is not None:
            self._chosen(self.stored.profile.name)

    def _save(self) -> None:
        profile = self.current_profile()
        if profile is not None:
            self.save_requested.emit(profile)

    def _import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, self.tr("Import a mapping profile"), "",
                                              self.tr("Mapping profile (*.json);;All files (*)"))
        if path:
            self.import_requested.emit(path)

    def _export(self) -> None:
        if self.stored is None:
            return
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export the mapping profile"),
                                              f"{self.stored.profile.name}.json",
                                              self.tr("Mapping profile (*.json)"))
        if path:
            self.export_requested.emit(self.stored.profile.name, path)

    def mark_saved(self, stored: StoredProfile) -> None:
        self._by_name[stored.profile.name] = stored
        self.stored = stored
        self.dirty = False
        self._show_state()
