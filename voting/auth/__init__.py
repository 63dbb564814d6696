"""Staff sign-in (Flask-Login) and the role guard used by every back-office view."""

from flask import Flask

from voting.auth.guards import load_user
from voting.auth.routes import bp
from voting.extensions import login_manager

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
