"""Input widgets the case dialogs share: the category picker (type a code or part of a name)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QCompleter, QWidget

from widgets.common.i18n import labels


class CategoryPicker(QComboBox):
    """Every category of the reference as "code name", searchable by any part of either."""

    def __init__(self, reference: Mapping[str, Any], parent: QWidget | None = None):
        super().__init__(parent)
        lb = labels()
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for c in reference.get("categories") or []:
            self.addItem(f"{c['code']} {lb.category(c, '')}", c["code"])
        self.setCurrentIndex(-1)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompleter(completer)
        edit = self.lineEdit()
        assert edit is not None  # an editable combo box has its line edit
        edit.setPlaceholderText(self.tr("输入编码或名称，如 06010 或 垃圾"))

    def select(self, code: str | None) -> None:
        self.setCurrentIndex(self.findData(code) if code else -1)

    def selected_category(self) -> str | None:
        """The chosen code: an item picked or typed in full, or a known code typed alone."""
        i = self.findText(self.currentText(), Qt.MatchFlag.MatchExactly)
        if i >= 0:
            return self.itemData(i)
        text = self.currentText().strip().split(" ")[0]
        return text if self.findData(text) >= 0 else None
