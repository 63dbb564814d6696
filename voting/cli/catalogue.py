"""`voting jurisdiction|session|unit …`: the clerk's catalogue at the command line.

Jurisdictions (行政区), congress sessions (会议, with their term 届) and responsible units
(承办单位): the web's forms (`voting.office.forms`) and `voting.services.catalogue`.
"""

import json

import click
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from voting.cli.app import in_app
from voting.cli.forms import ROW_ID, checked, get_row, jurisdiction_named
from voting.extensions import db
from voting.models import CongressSession, Jurisdiction, Project, ResponsibleUnit
from voting.office import choices
from voting.office.forms import JurisdictionForm, SessionForm, UnitForm
from voting.office.labels import LEVEL
from voting.services import catalogue, roster


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


# Jurisdictions (行政区) ---------------------------------------------------------------------------

@click.group()
def jurisdiction():
    """Jurisdictions (行政区): list, add, edit."""


@jurisdiction.command("list")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_jurisdictions(as_json):
    """Every jurisdiction with its level, parent and roster size (active deputies)."""
    rows = [{"id": j.id, "name": j.name, "level": j.level,
             "parent": j.parent.name if j.parent else None, "roster": roster.roster_count(j)}
            for j in choices.jurisdictions()]
    if as_json:
        click.echo(dump(rows))
        return
    for row in rows:
        deputies = _("代表%(n)d名", n=row["roster"])
        click.echo(f"{row['id']:>4}  {row['name']}  {LEVEL.get(row['level'], row['level'])}  "
                   f"{row['parent'] or '—'}  {deputies}")


@jurisdiction.command("add")
@click.argument("name")
@click.option("--level", type=click.Choice(list(LEVEL)), default="county", show_default=True)
@click.option("--parent", help="上级行政区, name or id")
@in_app
def add_jurisdiction(name, level, parent):
    """Add a jurisdiction (names are unique)."""
    _save_jurisdiction(None, {"name": name, "level": level, "parent": parent})


@jurisdiction.command("edit")
@click.argument("jurisdiction_id", metavar="NAME|ID")
@click.option("--name", help="New name")
@click.option("--level", type=click.Choice(list(LEVEL)))
@click.option("--parent", help="上级行政区, name or id; '' for none")
@in_app
def edit_jurisdiction(jurisdiction_id, name, level, parent):
    """Rename a jurisdiction, change its level or parent."""
    place = jurisdiction_named(jurisdiction_id)
    _save_jurisdiction(place, {"name": name, "level": level, "parent": parent})


def _save_jurisdiction(place: Jurisdiction | None, typed: dict) -> None:
    parent = typed.pop("parent")
    if parent is not None:
        typed["parent"] = jurisdiction_named(parent).id if parent.strip() else 0
    form = checked(JurisdictionForm, typed, obj=place,
                   current={"parent": place.parent_id or 0} if place else {"parent": 0},
                   choices={"parent": [SelectChoice(0, "")] + [
                       c for c in choices.jurisdiction_choices()
                       if place is None or c.value != place.id]})
    saved = catalogue.save_jurisdiction(
        place, name=form.name.data, level=form.level.data,
        parent=db.session.get(Jurisdiction, form.parent.data) if form.parent.data else None)
    db.session.commit()
    click.echo(_("已保存行政区“%(name)s”。", name=saved.name) + f" (id {saved.id})")


# Congress sessions (会议) -------------------------------------------------------------------------

SESSION_OPTIONS = {"term_number": "--term"}


@click.group("session")
def session_group():
    """Congress sessions (会议): list, add, edit, delete."""


@session_group.command("list")
@click.option("--jurisdiction", help="行政区 name or id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_sessions(jurisdiction, as_json):
    """Sessions, latest first, with the deputies signed in / on the roster."""
    place = jurisdiction_named(jurisdiction) if jurisdiction else None
    rows = []
    for s in catalogue.sessions_by_date():
        if place is not None and s.jurisdiction.id != place.id:
            continue
        turnout = roster.turnout(s)
        rows.append({"id": s.id, "title": s.title, "jurisdiction": s.jurisdiction.name,
                     "term": s.term.number, "number": s.number,
                     "starts_on": s.starts_on.isoformat(), "ends_on": s.ends_on.isoformat(),
                     "venue": s.venue, "present": turnout.present, "roster": turnout.roster})
    if as_json:
        click.echo(dump(rows))
        return
    for row in rows:
        click.echo(f"{row['id']:>4}  {row['starts_on']}–{row['ends_on'][5:]}  {row['title']}  "
                   f"{row['present']}/{row['roster']}")


def session_options(fn):
    """The session form's fields as options (one definition for add and edit)."""
    for option in reversed([
        click.option("--term", "term_number", help="届次 (default: the current term)"),
        click.option("--start-year", help="The term's first year"),
        click.option("--end-year", help="The term's last year"),
        click.option("--number", help="会次 (default: the next)"),
        click.option("--title", help="(default: 青川县第十八届人民代表大会第四次会议 style)"),
        click.option("--starts-on", metavar="YYYY-MM-DD", help="开幕日期"),
        click.option("--ends-on", metavar="YYYY-MM-DD", help="闭幕日期"),
        click.option("--venue"),
    ]):
        fn = option(fn)
    return fn


@session_group.command("add")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@session_options
@in_app
def add_session(jurisdiction, **typed):
    """Add a congress session; its term (届) is created when new."""
    place = jurisdiction_named(jurisdiction)
    _save_session(None, place, typed, catalogue.next_session_defaults(place))


@session_group.command("edit")
@click.argument("session_id", type=ROW_ID)
@session_options
@in_app
def edit_session(session_id, **typed):
    """Change a session (it stays in its jurisdiction)."""
    found = _session(session_id)
    term = found.term
    _save_session(found, found.jurisdiction, typed, {
        "term_number": term.number, "start_year": term.start_year, "end_year": term.end_year})


def _save_session(found: CongressSession | None, place: Jurisdiction, typed: dict,
                  current: dict) -> None:
    form = checked(SessionForm, {**typed, "jurisdiction": place.id}, obj=found,
                   current=current, options=SESSION_OPTIONS,
                   choices={"jurisdiction": [SelectChoice(place.id, place.name)]})
    saved = catalogue.save_session(
        found, jurisdiction=place, term_number=form.term_number.data,
        start_year=form.start_year.data, end_year=form.end_year.data, number=form.number.data,
        title=form.title.data, starts_on=form.starts_on.data, ends_on=form.ends_on.data,
        venue=form.venue.data)
    db.session.commit()
    click.echo(_("已保存会议“%(title)s”。", title=saved.title) + f" (id {saved.id})")


@session_group.command("delete")
@click.argument("session_id", type=ROW_ID)
@in_app
def delete_session(session_id):
    """Delete a session nobody signed in to and with no ballot."""
    catalogue.delete_session(_session(session_id))
    db.session.commit()
    click.echo(_("会议已删除。"))


def _session(session_id: int) -> CongressSession:
    return get_row(CongressSession, session_id, _("找不到该会议。"))


# Responsible units (承办单位) ---------------------------------------------------------------------

@click.group()
def unit():
    """Responsible units (承办单位): list, add, edit, delete."""


@unit.command("list")
@click.option("--jurisdiction", help="行政区 name or id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_units(jurisdiction, as_json):
    """Units with their number of projects."""
    query = db.select(ResponsibleUnit).order_by(ResponsibleUnit.jurisdiction_id,
                                                ResponsibleUnit.name)
    if jurisdiction:
        query = query.filter_by(jurisdiction_id=jurisdiction_named(jurisdiction).id)
    counts = dict(db.session.execute(
        db.select(Project.unit_id, db.func.count()).group_by(Project.unit_id)).all())
    rows = [{"id": u.id, "name": u.name, "jurisdiction": u.jurisdiction.name,
             "projects": counts.get(u.id, 0)} for u in db.session.scalars(query)]
    if as_json:
        click.echo(dump(rows))
        return
    for row in rows:
        projects = _("项目%(n)d个", n=row["projects"])
        click.echo(f"{row['id']:>4}  {row['jurisdiction']}  {row['name']}  {projects}")


@unit.command("add")
@click.argument("name")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@in_app
def add_unit(name, jurisdiction):
    """Add a responsible unit (unique by name within its jurisdiction)."""
    _save_unit(None, name, jurisdiction_named(jurisdiction))


@unit.command("edit")
@click.argument("unit_id", type=ROW_ID)
@click.option("--name", help="New name")
@click.option("--jurisdiction", help="行政区 name or id")
@in_app
def edit_unit(unit_id, name, jurisdiction):
    """Rename a unit or move it to another jurisdiction."""
    found = _unit(unit_id)
    _save_unit(found, name, jurisdiction_named(jurisdiction) if jurisdiction
               else found.jurisdiction)


def _save_unit(found: ResponsibleUnit | None, name: str | None, place: Jurisdiction) -> None:
    form = checked(UnitForm, {"name": name, "jurisdiction": place.id}, obj=found,
                   choices={"jurisdiction": [SelectChoice(place.id, place.name)]})
    saved = catalogue.save_unit(found, jurisdiction=place, name=form.name.data)
    db.session.commit()
    click.echo(_("已保存承办单位“%(name)s”。", name=saved.name) + f" (id {saved.id})")


@unit.command("delete")
@click.argument("unit_id", type=ROW_ID)
@in_app
def delete_unit(unit_id):
    """Delete a unit with no projects and no accounts."""
    catalogue.delete_unit(_unit(unit_id))
    db.session.commit()
    click.echo(_("承办单位已删除。"))


def _unit(unit_id: int) -> ResponsibleUnit:
    return get_row(ResponsibleUnit, unit_id, _("找不到该承办单位。"))

