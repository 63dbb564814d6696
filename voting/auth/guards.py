"""Access guards for the back office."""

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from voting.extensions import db
from voting.models import User


def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


def role_required(*roles: str, admin: bool = True):
    """Allow signed-in staff whose role is one of `roles`; admin passes too unless `admin` is
    False (an act personal to the role: a scrutineer's signature).

    Not signed in: redirect to /login. Signed in with another role: 403.
    """

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if current_user.role not in roles and not (admin and current_user.role == "admin"):
                abort(403)
            return view(*args, **kwargs)

        guarded.allowed_roles = roles  # read by the route-permission tests
        return guarded

    return decorate
