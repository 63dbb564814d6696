"""`voting deputy|delegation …`: the roster by hand (代表, 代表团), as on the web's people pages.

Whole rosters come in with `voting roster import`; these commands correct one deputy or one
delegation. The web's forms (`voting.office.forms`) and `voting.services.roster`.
"""

import json

import click
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from voting.cli.app import in_app
from voting.cli.forms import ROW_ID, checked, get_row, jurisdiction_named
from voting.errors import InvalidRequest
from voting.extensions import db
from voting.models import Delegation, Deputy, Jurisdiction
from voting.office.forms import DelegationForm, DeputyForm
from voting.office.labels import GENDER
from voting.services import roster


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)


# Deputies (代表) ----------------------------------------------------------------------------------

@click.group()
def deputy():
    """Deputies (代表): list, add, edit, delete."""


@deputy.command("list")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@click.option("--search", "text", default="", help="A piece of the name, delegation or job")
@click.option("--inactive", is_flag=True, help="Also deputies no longer on the roster")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_deputies(jurisdiction, text, inactive, as_json):
    """The deputies of a jurisdiction (no phone numbers: see `voting roster export`)."""
    place = jurisdiction_named(jurisdiction)
    rows = [{"id": d.id, "name": d.name, "delegation": d.delegation.name if d.delegation else "",
             "gender": d.gender, "occupation": d.occupation, "active": d.active}
            for d in db.session.scalars(roster.search_deputies(place, text.strip()[:40], None,
                                                               inactive))]
    if as_json:
        click.echo(dump(rows))
        return
    for row in rows:
        flag = "" if row["active"] else "  " + _("（不在册）")
        click.echo(f"{row['id']:>6}  {row['name']}  {row['delegation'] or '—'}  "
                   f"{row['occupation']}{flag}")


def deputy_options(fn):
    """The deputy form's fields as options (one definition for add and edit)."""
    for option in reversed([
        click.option("--delegation", help="代表团 name (created when new); '' for none"),
        click.option("--gender", type=click.Choice([g for g in GENDER if g])),
        click.option("--phone"),
        click.option("--occupation", help="工作单位及职务"),
        click.option("--active/--inactive", default=None,
                     help="On the roster (counts towards the quorum)"),
    ]):
        fn = option(fn)
    return fn


@deputy.command("add")
@click.argument("name")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@deputy_options
@in_app
def add_deputy(name, jurisdiction, **typed):
    """Add a deputy (the same name twice in one delegation is refused)."""
    _save_deputy(None, jurisdiction_named(jurisdiction), {**typed, "name": name}, {})


@deputy.command("edit")
@click.argument("deputy_id", type=ROW_ID)
@click.option("--name")
@deputy_options
@in_app
def edit_deputy(deputy_id, name, **typed):
    """Change a deputy: only the options given change."""
    found = _deputy(deputy_id)
    _save_deputy(found, found.jurisdiction, {**typed, "name": name}, {
        "delegation": found.delegation.name if found.delegation else ""})


def _save_deputy(found: Deputy | None, place: Jurisdiction, typed: dict, current: dict) -> None:
    active = typed.pop("active")
    form = checked(DeputyForm, {**typed, "jurisdiction": place.id}, obj=found,
                   current={**current, "active": found.active if found else True}
                   if active is None else {**current, "active": active},
                   choices={"jurisdiction": [SelectChoice(place.id, place.name)]})
    saved = roster.save_deputy(
        found, jurisdiction=place, delegation_name=form.delegation.data, name=form.name.data,
        gender=form.gender.data, phone=form.phone.data, occupation=form.occupation.data,
        active=form.active.data)
    db.session.commit()
    click.echo(_("已保存代表“%(name)s”。", name=saved.name) + f" (id {saved.id})")


@deputy.command("delete")
@click.argument("deputy_id", type=ROW_ID)
@in_app
def delete_deputy(deputy_id):
    """Delete a deputy who never signed in (else: `deputy edit ID --inactive`)."""
    roster.delete_deputy(_deputy(deputy_id))
    db.session.commit()
    click.echo(_("已删除代表。"))


def _deputy(deputy_id: int) -> Deputy:
    return get_row(Deputy, deputy_id, _("找不到该代表。"))


# Delegations (代表团) -----------------------------------------------------------------------------

@click.group()
def delegation():
    """Delegations (代表团): list, add, rename, delete."""


@delegation.command("list")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_delegations(jurisdiction, as_json):
    """The delegations of a jurisdiction with their active deputies."""
    rows = [{"id": d.id, "name": d.name, "deputies": count}
            for d, count in roster.delegations_with_counts(jurisdiction_named(jurisdiction))]
    if as_json:
        click.echo(dump(rows))
        return
    for row in rows:
        deputies = _("代表%(n)d名", n=row["deputies"])
        click.echo(f"{row['id']:>5}  {row['name']}  {deputies}")


@delegation.command("add")
@click.argument("name")
@click.option("--jurisdiction", required=True, help="行政区 name or id")
@in_app
def add_delegation(name, jurisdiction):
    """Add a delegation."""
    place = jurisdiction_named(jurisdiction)
    form = checked(DelegationForm, {"name": name})
    if db.session.scalar(db.select(Delegation).filter_by(jurisdiction=place,
                                                         name=form.name.data)) is not None:
        raise InvalidRequest(_("已有名为“%(name)s”的代表团。", name=form.name.data))
    roster.find_or_create_delegation(place, form.name.data)
    db.session.commit()
    click.echo(_("已添加代表团“%(name)s”。", name=form.name.data))


@delegation.command("rename")
@click.argument("delegation_id", type=ROW_ID)
@click.argument("name")
@in_app
def rename_delegation(delegation_id, name):
    """Rename a delegation."""
    found = _delegation(delegation_id)
    form = checked(DelegationForm, {"name": name})
    roster.rename_delegation(found, form.name.data)
    db.session.commit()
    click.echo(_("已保存代表团“%(name)s”。", name=found.name))


@delegation.command("delete")
@click.argument("delegation_id", type=ROW_ID)
@in_app
def delete_delegation(delegation_id):
    """Delete a delegation with no deputies."""
    roster.delete_delegation(_delegation(delegation_id))
    db.session.commit()
    click.echo(_("已删除代表团。"))


def _delegation(delegation_id: int) -> Delegation:
    return get_row(Delegation, delegation_id, _("找不到该代表团。"))
