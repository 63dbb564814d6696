"""`voting project …`: the project library (项目库) — list, add, edit, delete — and, from
`voting.cli.tracking`, what follows the vote (supervision notes, delays, progress reports,
rectification confirmed complete).

The web's project form (`voting.office.forms.ProjectForm`) and `voting.services.catalogue`.
"""

import json

import click
from flask_babel import gettext as _

from voting.cli.app import in_app
from voting.cli.forms import ROW_ID, checked, get_row, jurisdiction_named, read_text, unit_named
from voting.cli.tracking import delayed, note, rectified, update
from voting.extensions import db
from voting.models import Jurisdiction, Project, ResponsibleUnit
from voting.models.projects import CATEGORIES, STATUSES
from voting.office import choices
from voting.office.forms import ProjectForm
from voting.office.labels import PROJECT_SOURCE, PROJECT_STATUS
from voting.services import catalogue
from voting.services.ballots import decimal_text

PROJECT_OPTIONS = {"budget_wan": "--budget"}


@click.group()
def project():
    """Projects: the library (list, add, edit, delete), then tracking (note, delayed, update,
    rectified)."""


for command in (note, delayed, update, rectified):
    project.add_command(command)


@project.command("list")
@click.option("--jurisdiction", help="行政区 name or id")
@click.option("--year", type=click.IntRange(1, 9999))
@click.option("--status", type=click.Choice(STATUSES))
@click.option("--category", type=click.Choice(CATEGORIES))
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_projects(jurisdiction, year, status, category, as_json):
    """The library, latest year first."""
    query = db.select(Project).order_by(Project.year.desc(), Project.id.desc())
    if jurisdiction:
        query = query.filter_by(jurisdiction_id=jurisdiction_named(jurisdiction).id)
    for column, value in (("year", year), ("status", status), ("category", category)):
        if value:
            query = query.filter(getattr(Project, column) == value)
    rows = [record(p) for p in db.session.scalars(query)]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    for row in rows:
        click.echo(f"{row['id']:>5}  {row['year']}  {PROJECT_STATUS[row['status']]}  "
                   f"{row['title']}  {row['unit'] or '—'}  {row['budget_wan']}万元")


def project_options(fn):
    """The project form's fields as options (one definition for add and edit)."""
    for option in reversed([
        click.option("--title"),
        click.option("--category", type=click.Choice(CATEGORIES)),
        click.option("--budget", "budget_wan", help="总投资, 万元"),
        click.option("--year", help="实施年度 (default on add: next year from September)"),
        click.option("--unit", help="承办单位 of the jurisdiction, by name or id; '' for 未定"),
        click.option("--funding-source"),
        click.option("--location"),
        click.option("--summary", help="The one line printed on the ballot"),
        click.option("--description"),
        click.option("--description-file", type=click.File(encoding="utf-8"),
                     help="The description from a UTF-8 file (- for stdin)"),
        click.option("--planned-start", metavar="YYYY-MM-DD"),
        click.option("--planned-finish", metavar="YYYY-MM-DD"),
        click.option("--source", type=click.Choice(list(PROJECT_SOURCE)),
                     help="(default on add: department)"),
        click.option("--status", type=click.Choice(list(PROJECT_STATUS)),
                     help="(default on add: library)"),
    ]):
        fn = option(fn)
    return fn


@project.command("add")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@project_options
@in_app
def add(jurisdiction, **typed):
    """Add a project to the library (--title, --category and --budget are required)."""
    _save(None, jurisdiction_named(jurisdiction), typed, {"unit": 0})


@project.command("edit")
@click.argument("project_id", type=ROW_ID)
@click.option("--jurisdiction", help="行政区 name or id")
@project_options
@in_app
def edit(project_id, jurisdiction, **typed):
    """Change a library entry: only the options given change."""
    found = _project(project_id)
    place = jurisdiction_named(jurisdiction) if jurisdiction else found.jurisdiction
    _save(found, place, typed, {"unit": found.unit_id or 0})


def _save(found: Project | None, place: Jurisdiction, typed: dict, current: dict) -> None:
    typed["description"] = read_text(typed["description"], typed.pop("description_file"))
    unit = typed.pop("unit")
    if unit is not None:
        picked = unit_named(place, unit)
        typed["unit"] = picked.id if picked else 0
    form = checked(ProjectForm, {**typed, "jurisdiction": place.id}, obj=found,
                   current=current, options=PROJECT_OPTIONS,
                   choices={"jurisdiction": choices.jurisdiction_choices(),
                            "unit": choices.unit_choices()})
    fields = {name: form[name].data for name in catalogue.PROJECT_FIELDS}
    saved = catalogue.save_project(
        found, jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
        unit=db.session.get(ResponsibleUnit, form.unit.data) if form.unit.data else None,
        **fields)
    db.session.commit()
    click.echo(_("已保存项目“%(title)s”。", title=saved.title) + f" (id {saved.id})")


@project.command("delete")
@click.argument("project_id", type=ROW_ID)
@in_app
def delete(project_id):
    """Remove an entry on no ballot, with no progress history and not from a proposal."""
    catalogue.delete_project(_project(project_id))
    db.session.commit()
    click.echo(_("项目已从项目库删除。"))


def _project(project_id: int) -> Project:
    return get_row(Project, project_id, _("找不到该项目。"))


def record(p: Project) -> dict:
    return {"id": p.id, "title": p.title, "year": p.year, "category": p.category,
            "jurisdiction": p.jurisdiction.name, "unit": p.unit.name if p.unit else "",
            "budget_wan": decimal_text(p.budget_wan), "source": p.source, "status": p.status,
            "progress": p.progress, "summary": p.summary,
            "planned_start": p.planned_start.isoformat() if p.planned_start else None,
            "planned_finish": p.planned_finish.isoformat() if p.planned_finish else None}

