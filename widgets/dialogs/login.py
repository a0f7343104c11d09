"""Login to a backend (``--backend URL``): the session is created here, so a wrong password
or an unreachable backend is said in the dialog, not in a traceback."""

from __future__ import annotations

import requests
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
)

from console.sync.client import ApiError


class LoginDialog(QDialog):
    def __init__(self, url: str, make_session, user: str = "", parent=None):
        """``make_session(url, user, password)`` returns a Session or raises."""
        super().__init__(parent)
        self.make_session = make_session
        self.session = None
        self.setWindowTitle(self.tr("登录 智慧城管指挥中心"))
        self.url = QLineEdit(url)
        self.user = QLineEdit(user)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = QLabel()
        self.error.setStyleSheet("color: #ff4d4f;")
        self.error.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("服务地址"), self.url)
        form.addRow(self.tr("用户名"), self.user)
        form.addRow(self.tr("密码"), self.password)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("登录"))
        buttons.accepted.connect(self.try_login)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        (self.password if user else self.user).setFocus()
        self.resize(420, 200)

    def try_login(self) -> None:
        try:
            self.session = self.make_session(
                self.url.text().strip(), self.user.text().strip(), self.password.text()
            )
        except ApiError as e:
            self.error.setText(
                self.tr("用户名或密码错误") if e.status == 401 else f"{e.status}: {e.message}"
            )
            return
        except (requests.RequestException, ValueError) as e:
            self.error.setText(self.tr("无法连接服务：%1").replace("%1", type(e).__name__))
            return
        self.accept()
