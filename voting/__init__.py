"""民生实事项目人大代表票决制: the application factory."""

from pathlib import Path

from flask import Flask

import config as config_module


def create_app(config: dict | None = None) -> Flask:
    """Build the app: settings, database, extensions, blueprints, in that order."""
    from voting import auth, errors, i18n, instance, security
    from voting.extensions import cache, csrf, db, limiter, migrate

    path = Path(config.get("INSTANCE_PATH")) if config and config.get("INSTANCE_PATH") \
        else instance.instance_path()
    package = Path(__file__).resolve().parent
    app = Flask(
        __name__,
        instance_path=str(path),
        template_folder=str(_resource_dir(package, "templates")),
        static_folder=str(_resource_dir(package, "static")),
    )
    configure(app, config or {})
    db.init_app(app)
    migrate.init_app(app, db, directory=str(package / "migrations"))
    auth.init_app(app)
    csrf.init_app(app)
    limiter.init_app(app)
    cache.init_app(app)
    i18n.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    add_blueprints(app)
    return app


def configure(app: Flask, overrides: dict) -> None:
    """Configuration class, then the instance's secrets, then explicit overrides (tests)."""
    from voting import database, instance

    app.config.from_object(
        config_module.TestConfig if overrides.get("TESTING") else config_module.Config
    )
    path = Path(app.instance_path)
    app.config["SQLALCHEMY_DATABASE_URI"] = instance.database_url(path)
    app.config.update(overrides)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance.read_secret_key(path)
    if not app.config["SECRET_KEY"]:
        # No fallback key: a guessable key would let anyone forge a clerk's session.
        raise RuntimeError(f"No secret key in {path}: run `voting init` first.")
    database.configure_engine(app)
    app.json.ensure_ascii = False  # UTF-8 JSON (CONTRACT.md): 青川县, not \u9752\u5ddd\u53bf


def add_blueprints(app: Flask) -> None:
    from voting import api, auth, booth, office, public

    for blueprint in (*public.blueprints, auth.bp, booth.bp, *office.blueprints, *api.blueprints):
        app.register_blueprint(blueprint)


def _resource_dir(package: Path, name: str) -> Path:
    """templates/ and static/: at the project root in a checkout, in the package in a wheel."""
    inside = package / name
    return inside if inside.is_dir() else package.parent / name
