"""Form choices and query-string lookups from the database, shared by the office views."""

from flask import abort, request
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from voting.extensions import db
from voting.models import CongressSession, Jurisdiction, ResponsibleUnit, Term, User


def jurisdictions() -> list[Jurisdiction]:
    return list(db.session.scalars(db.select(Jurisdiction).order_by(Jurisdiction.id)))


def jurisdiction_choices() -> list[SelectChoice]:
    return [SelectChoice(j.id, j.name) for j in jurisdictions()]


def chosen_jurisdiction(required: bool = True) -> Jurisdiction | None:
    """`?jurisdiction=ID`, else the first jurisdiction (most deployments have one or a few).

    An unknown id is a 404; no jurisdiction at all is None (the page says to create one).
    """
    wanted = request.args.get("jurisdiction", type=int)
    if wanted:
        found = db.session.get(Jurisdiction, wanted)
        if found is None:
            abort(404)
        return found
    if not required:
        return None
    return db.session.scalar(db.select(Jurisdiction).order_by(Jurisdiction.id).limit(1))


def unit_choices() -> list[SelectChoice]:
    """承办单位, "none" first; grouped by jurisdiction (<optgroup>) when there are several."""
    rows = db.session.execute(
        db.select(ResponsibleUnit, Jurisdiction.name).join(ResponsibleUnit.jurisdiction)
        .order_by(Jurisdiction.id, ResponsibleUnit.name)
    ).all()
    grouped = len({name for _unit, name in rows}) > 1
    return [SelectChoice(0, _("（未定）"))] + [
        SelectChoice(unit.id, unit.name, optgroup=name if grouped else None) for unit, name in rows]


def session_choices() -> list[SelectChoice]:
    """Congress sessions (grouped by jurisdiction when there are several), newest first."""
    rows = db.session.execute(
        db.select(CongressSession, Jurisdiction.name).join(CongressSession.term)
        .join(Term.jurisdiction).order_by(Jurisdiction.id, CongressSession.starts_on.desc())
    ).all()
    grouped = len({name for _session, name in rows}) > 1
    return [SelectChoice(session.id, f"{session.title}（{session.starts_on:%Y-%m-%d}）",
                         optgroup=name if grouped else None) for session, name in rows]


def scrutineer_accounts() -> list[User]:
    return list(db.session.scalars(
        db.select(User).filter_by(role="scrutineer", active=True).order_by(User.display_name)))
