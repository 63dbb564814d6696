"""Flask extensions, created once here and bound to the app in `create_app`."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData

# Named constraints so that Alembic migrations are the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))
migrate = Migrate()
login_manager = LoginManager()
babel = Babel()
csrf = CSRFProtect()
cache = Cache()  # public pages everyone sees alike, for a few seconds (config CACHE_*)
# No limit applies to every page: only views decorated with a limit are checked (`voting.security`),
# instead of Flask-Limiter walking its rules before every request.
limiter = Limiter(key_func=get_remote_address, default_limits=[], auto_check=False)
