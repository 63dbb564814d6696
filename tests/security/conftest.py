"""The security suite works on the demo county (150 deputies, ballots, projects with photos,
proposals, every kind of account), loaded once and copied for each test, and on the app's own
URL map: a route added tomorrow is attacked by these tests without anyone listing it."""

import hashlib
import shutil
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

from voting import create_app
from voting.extensions import db
from voting.instance import DATABASE_FILE, ensure_instance

# URL arguments → the table an id is taken from (the row with the smallest id).
ARG_TABLES = {
    "session_id": "congress_session", "update_id": "progress_update",
    "unit_id": "responsible_unit", "note_id": "supervision_note", "entry_id": "audit_entry",
}
# Values for arguments that are not ids.
ARG_VALUES = {"token": "not-a-token", "filename": "css/app.css", "name": "0" * 32 + ".jpg",
              "code": "ABCDEFGH"}


@pytest.fixture(scope="session")
def demo_instance(tmp_path_factory, migrated_database) -> Path:
    from voting.demo import load_demo

    folder = tmp_path_factory.mktemp("demo-instance")
    ensure_instance(folder)
    shutil.copy(migrated_database, folder / DATABASE_FILE)
    app = create_app({"TESTING": True, "INSTANCE_PATH": str(folder)})
    with app.app_context():
        load_demo(today=date(2026, 11, 23))
        db.session.remove()
        db.engine.dispose()
    return folder


@pytest.fixture
def instance(tmp_path, demo_instance, monkeypatch) -> Path:
    """A private copy of the demo instance: database, keys and photo files."""
    folder = tmp_path / "instance"
    shutil.copytree(demo_instance, folder)
    monkeypatch.setenv("VOTING_INSTANCE", str(folder))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    return folder


def rules(app, *, blueprints=None, methods=("GET", "POST")):
    """(rule, method) for every route of `blueprints` (all when None) answering `methods`."""
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        blueprint = rule.endpoint.rpartition(".")[0]
        if blueprints is not None and blueprint not in blueprints:
            continue
        for method in sorted(set(rule.methods) & set(methods)):
            found.append((rule, method))
    return found


def office_blueprints() -> set[str]:
    from voting import office

    return {bp.name for bp in office.blueprints}


def first_id(table: str) -> int:
    return db.session.scalar(db.text(f'SELECT min(id) FROM "{table}"')) or 1  # noqa: S608


def url_for_rule(rule, **known) -> str:
    """The rule's URL with every argument filled: ids of existing rows, or harmless strings."""
    values = {}
    for name in rule.arguments:
        if name in known:
            values[name] = known[name]
        elif name in ARG_VALUES:
            values[name] = ARG_VALUES[name]
        elif name.endswith("_id"):
            values[name] = first_id(ARG_TABLES.get(name, name.removesuffix("_id")))
        else:
            values[name] = "1"
    return rule.build(values, append_unknown=False)[1]


def fingerprint(instance: Path) -> str:
    """Every row of every table and the names of the uploaded files: any change shows."""
    digest = hashlib.sha256()
    for name, part in sorted(fingerprints(instance).items()):
        digest.update(f"{name}:{part}".encode())
    return digest.hexdigest()


def fingerprints(instance: Path) -> dict[str, str]:
    """table → digest of its rows, and "uploads" → digest of the uploaded files' names: which
    part changed."""
    parts = {}
    with db.engine.connect() as connection:
        tables = sorted(r[0] for r in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
        for table in tables:
            digest = hashlib.sha256()
            for row in connection.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY 1'):  # noqa: S608
                digest.update(repr(tuple(row)).encode())
            parts[table] = digest.hexdigest()
    uploads = hashlib.sha256()
    for path in sorted((instance / "uploads").rglob("*")):
        uploads.update(str(path.relative_to(instance)).encode())
    parts["uploads"] = uploads.hexdigest()
    return parts


def log_in(client, username: str, password: str) -> None:
    """Sign in through the real form, CSRF token included when the app checks it."""
    page = client.get("/login").get_data(as_text=True)
    data = {"username": username, "password": password}
    token = csrf_token_in(page)
    if token:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]


def csrf_token_in(page: str) -> str | None:
    for form in forms_in(page):
        if "csrf_token" in form["fields"]:
            return form["fields"]["csrf_token"]["value"]
    return None


class FormParser(HTMLParser):
    """Forms of a page: action, method and fields (name → {type, value, options, attrs})."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {},
                               "method": (attrs.get("method") or "get").lower(),
                               "enctype": attrs.get("enctype", "")})
        if not self.forms or "name" not in attrs:
            return
        fields = self.forms[-1]["fields"]
        name = attrs["name"]
        if tag == "input":
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs and name in fields:
                return
            fields[name] = {"type": kind, "value": attrs.get("value", ""), "options": [],
                            "attrs": attrs}
        elif tag == "textarea":
            fields[name] = {"type": "textarea", "value": "", "options": [], "attrs": attrs}
        elif tag == "select":
            self._select = fields[name] = {"type": "select", "value": None, "options": [],
                                           "attrs": attrs}

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)

    def handle_data(self, data):
        pass

    def unknown_decl(self, data):
        pass


class _OptionParser(FormParser):
    def handle_starttag(self, tag, attrs):
        if tag == "option" and self._select is not None:
            attrs = dict(attrs)
            value = attrs.get("value", "")
            if value:
                self._select["options"].append(value)
                if "selected" in attrs or self._select["value"] is None:
                    self._select["value"] = value
            return
        super().handle_starttag(tag, attrs)


def forms_in(page: str) -> list[dict]:
    parser = _OptionParser()
    parser.feed(page)
    return parser.forms
