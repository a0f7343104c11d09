"""Regression guard for the PySide6 pin (<6.12): Python paint() overrides must not leak
references to ``None`` (6.12.0 on CPython 3.11 dropped one per call and aborted the map)."""

from __future__ import annotations

import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QGraphicsItem, QGraphicsScene


class Marker(QGraphicsItem):
    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, 10, 10)

    def paint(self, painter, option, widget=None) -> None:
        painter.fillRect(self.boundingRect(), QColor("#e53935"))


def test_painting_python_items_keeps_none_refcount(qapp):
    scene = QGraphicsScene()
    scene.addItem(Marker())
    image = QImage(64, 64, QImage.Format.Format_ARGB32)
    before = sys.getrefcount(None)
    for _ in range(3000):
        painter = QPainter(image)
        scene.render(painter)
        painter.end()
    after = sys.getrefcount(None)
    assert after >= before - 50, (before, after)
    assert image.pixelColor(32, 32) == QColor("#e53935")  # the override really painted
