"""Item-data roles as plain ints, for ``data()`` methods called thousands of times a paint.

Measured with PySide6 6.11: reading ``Qt.DisplayRole`` costs ~7.5 µs (a lazy enum lookup on
the ``Qt`` namespace), ``int(role) in frozenset_of_ints`` ~0.2 µs. A table paint asks ~10
roles per cell, so the enum spelling alone made a 140-cell table take 60 ms to paint.
"""

from __future__ import annotations

from PySide6.QtCore import Qt

DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
DECORATION = int(Qt.ItemDataRole.DecorationRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
ALIGNMENT = int(Qt.ItemDataRole.TextAlignmentRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
USER = int(Qt.ItemDataRole.UserRole.value)
ALIGN_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
HORIZONTAL = Qt.Orientation.Horizontal
