from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from voting.auth.forms import LoginForm
from voting.extensions import db, limiter
from voting.models import User
from voting.services import audit

bp = Blueprint("auth", __name__)

# Sign-in attempts: every POST per address; wrong passwords per account, from any address.
LOGIN_LIMIT_PER_ADDRESS = "10 per minute"
LOGIN_LIMIT_PER_ACCOUNT = "5 per minute;30 per hour"


def account_key() -> str:
    return "account:" + request.form.get("username", "").strip().lower()[:40]


def home_for(user: User) -> str:
    return url_for("office.dashboard")


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(LOGIN_LIMIT_PER_ADDRESS, methods=["POST"])
@limiter.limit(LOGIN_LIMIT_PER_ACCOUNT, methods=["POST"], key_func=account_key,
               deduct_when=lambda response: response.status_code == 401)
def login():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(db.select(User).filter_by(username=form.username.data.strip()))
        if user and user.active and user.check_password(form.password.data):
            login_user(user)
            audit.record("auth.login", f"user:{user.username}", ip=request.remote_addr)
            db.session.commit()
            target = request.args.get("next", "")
            # Only same-site paths: an open redirect would hand a clerk to a look-alike site.
            if not target.startswith("/") or target.startswith("//") or urlsplit(target).netloc:
                target = home_for(user)
            return redirect(target)
        # The name tried, never the password.
        audit.record("auth.login_failed", f"user:{form.username.data.strip()}",
                     ip=request.remote_addr)
        db.session.commit()
        flash(_("用户名或密码不正确。"), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
def logout():
    if current_user.is_authenticated:
        audit.record("auth.logout", f"user:{current_user.username}", ip=request.remote_addr)
        db.session.commit()
    logout_user()
    return redirect(url_for("public.home"))
