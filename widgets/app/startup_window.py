"""The first window of ``python main.py``: on screen before anything heavy loads, it says what
the start is waiting for (the demo's backend, the login), and why it stopped if it did.

The console's own window needs a logged-in session, and the embedded demo's backend takes a
few seconds to start (its district, grid and simulator); an operator at shift change should
see at once that the console is coming, not a blank screen. Light on purpose: Qt's widgets
and the theme only (no pyqtgraph, no console state).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class StartupWindow(QWidget):
    def __init__(self):
        super().__init__()
        self.setWindowTitle(self.tr("智慧城管 指挥中心"))
        self.setMinimumSize(720, 360)
        title = QLabel(self.tr("智慧城管 指挥中心"))
        font = title.font()
        font.setPointSize(28)
        font.setBold(True)
        title.setFont(font)
        self.status = QLabel()
        sfont = self.status.font()
        sfont.setPointSize(14)
        self.status.setFont(sfont)
        self.status.setWordWrap(True)
        self.busy = QProgressBar()
        self.busy.setRange(0, 0)  # moving: the start is under way
        self.busy.setTextVisible(False)
        self.busy.setMaximumHeight(6)
        self.quit_button = QPushButton(self.tr("退出"))
        self.quit_button.clicked.connect(QApplication.quit)
        self.quit_button.hide()
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.quit_button)
        box = QVBoxLayout(self)
        box.setContentsMargins(48, 40, 48, 40)
        box.addStretch(1)
        box.addWidget(title, alignment=Qt.AlignmentFlag.AlignHCenter)
        box.addSpacing(24)
        box.addWidget(self.status, alignment=Qt.AlignmentFlag.AlignHCenter)
        box.addSpacing(12)
        box.addWidget(self.busy)
        box.addStretch(1)
        box.addLayout(row)
        self.starting_backend()

    def starting_backend(self) -> None:
        self.status.setText(self.tr("正在启动演示区的后台与模拟器…"))

    def logging_in(self) -> None:
        self.status.setText(self.tr("后台已就绪，正在登录…"))

    def failed(self, reason: str) -> None:
        """The start stopped: why, and a way out (no dialog: this window is the message)."""
        self.busy.hide()
        self.status.setText(self.tr("启动未成功：") + reason)
        self.status.setStyleSheet("color: #ff6b6b;")
        self.quit_button.show()
