"""`voting ballot new|edit|candidates|delete|show`: drafting a ballot at the command line.

The web's ballot form (`voting.office.forms.BallotForm`) and `voting.services.drafting`: only a
draft changes; anything past draft is refused (WrongState) and nothing is changed.
"""

import json
from decimal import Decimal

import click
from flask_babel import gettext as _

from voting.cli.app import in_app
from voting.cli.forms import ROW_ID, checked, read_text
from voting.extensions import db
from voting.models import CongressSession
from voting.office import choices
from voting.office.forms import BallotForm
from voting.office.labels import BALLOT_KIND, SLIP_COLOUR, THRESHOLD_BASE, THRESHOLD_FRACTION
from voting.services import ballots, drafting
from voting.services.ballots import decimal_text, get_ballot_or_404

BALLOT_OPTIONS = {"session": "--session", "rules_text": "--rules"}


def ballot_options(fn):
    """The ballot form's fields as options (one definition for new and edit)."""
    for option in reversed([
        click.option("--session", type=ROW_ID, help="Congress session id (voting session list)"),
        click.option("--kind", type=click.Choice(list(BALLOT_KIND)),
                     help="selection 项目票决 (default) or evaluation 满意度测评"),
        click.option("--title"),
        click.option("--seats", help="应选数 (selection only)"),
        click.option("--threshold-base", type=click.Choice(list(THRESHOLD_BASE)),
                     help="Base of the threshold: roster (default), present or cast"),
        click.option("--threshold", type=click.Choice(list(THRESHOLD_FRACTION)),
                     help="More than this share of the base votes for (default 1/2)"),
        click.option("--rectify-below", help="Evaluation: satisfaction rate (%) below which a "
                                             "project must be rectified"),
        click.option("--rules", "rules_text", help="票决办法, shown to every deputy"),
        click.option("--rules-file", type=click.File(encoding="utf-8"),
                     help="The 票决办法 from a UTF-8 file (- for stdin)"),
        click.option("--colour", type=click.Choice(list(SLIP_COLOUR)), help="Slip colour"),
    ]):
        fn = option(fn)
    return fn


@click.command("new")
@ballot_options
@in_app
def new(**typed):
    """Create a draft ballot (--session, --title, and --seats for a selection)."""
    _save(None, typed, {})


@click.command("edit")
@click.argument("ballot_id", type=ROW_ID)
@ballot_options
@in_app
def edit(ballot_id, **typed):
    """Change a draft's definition: only the options given change."""
    found = drafting.get_draft_ballot(ballot_id)
    rate = found.rectify_below_rate
    _save(found, typed, {"session": found.session_id,
                         "threshold": f"{found.threshold_num}/{found.threshold_den}",
                         "rectify_below": int(rate * 100) if rate is not None else None})


def _save(found, typed: dict, current: dict) -> None:
    typed["rules_text"] = read_text(typed["rules_text"], typed.pop("rules_file"))
    form = checked(BallotForm, typed, obj=found, current=current, options=BALLOT_OPTIONS,
                   choices={"session": choices.session_choices()})
    num, den = (int(part) for part in form.threshold.data.split("/"))
    rate = Decimal(form.rectify_below.data) / 100 if form.rectify_below.data is not None \
        else None
    saved = drafting.save_ballot(
        found, session=db.session.get(CongressSession, form.session.data), kind=form.kind.data,
        title=form.title.data, seats=form.seats.data, threshold_base=form.threshold_base.data,
        threshold_num=num, threshold_den=den, rules_text=form.rules_text.data,
        colour=form.colour.data, rectify_below_rate=rate)
    db.session.commit()
    click.echo(_("已保存表决“%(title)s”。", title=saved.title) + f" (id {saved.id})")


@click.command("candidates")
@click.argument("ballot_id", type=ROW_ID)
@click.argument("project_ids", metavar="PROJECT_ID...", type=ROW_ID, nargs=-1, required=True)
@in_app
def candidates(ballot_id, project_ids):
    """Set a draft's candidate projects, in the order given (the order on the ballot)."""
    found = drafting.get_draft_ballot(ballot_id)
    drafting.set_candidates(found, list(project_ids))
    db.session.commit()
    click.echo(_("已保存候选项目（%(n)d个）。", n=len(project_ids)) + " "
               + drafting.contest_label(found))


@click.command("delete")
@click.argument("ballot_id", type=ROW_ID)
@in_app
def delete(ballot_id):
    """Throw away a draft with no minted tokens; its projects go back to the library."""
    found = drafting.get_draft_ballot(ballot_id)
    title = found.title
    drafting.delete_ballot(found)
    db.session.commit()
    click.echo(_("已删除表决草稿“%(title)s”。", title=title))


@click.command("show")
@click.argument("ballot_id", type=ROW_ID)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def show(ballot_id, as_json):
    """A ballot's definition, candidates, scrutineers, and what still keeps a draft from opening."""
    found = get_ballot_or_404(ballot_id)
    rate = found.rectify_below_rate
    details = {
        "id": found.id, "title": found.title, "kind": found.kind, "state": found.state,
        "session_id": found.session_id, "seats": found.seats,
        "threshold_base": found.threshold_base,
        "threshold": f"{found.threshold_num}/{found.threshold_den}",
        "rectify_below": int(rate * 100) if rate is not None else None,
        "colour": found.colour, "rules_text": found.rules_text,
        "candidates": [{"position": position, "id": c.project_id, "title": c.project.title,
                        "unit": c.project.unit.name if c.project.unit else "",
                        "budget_wan": decimal_text(c.project.budget_wan)}
                       for position, c in enumerate(found.candidates, start=1)],
        "scrutineers": [{"username": s.user.username, "name": s.user.display_name,
                         "chief": s.chief} for s in found.scrutineers],
        "tokens": ballots.token_counts(found),
        "problems": [str(p) for p in drafting.readiness(found)] if found.state == "draft"
        else [],
    }
    if as_json:
        click.echo(json.dumps(details, ensure_ascii=False, indent=1))
        return
    click.echo(f"#{found.id} {found.title}  [{ballots.state_label(found.state)}]  "
               f"{drafting.contest_label(found)}")
    for c in details["candidates"]:
        click.echo(f"  {c['position']:>2}. ({c['id']}) {c['title']}  {c['unit'] or '—'}  "
                   f"{c['budget_wan']}万元")
    for s in details["scrutineers"]:
        role = _("总监票人") if s["chief"] else _("监票人")
        click.echo(f"  {role}: {s['name']} ({s['username']})")
    for problem in details["problems"]:
        click.echo(f"  ! {problem}")


DRAFTING_COMMANDS = (new, edit, candidates, delete, show)
