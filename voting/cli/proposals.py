"""`voting proposal …`: the clerks' queue of public proposals (群众建议) and their decisions.

The same forms and service functions as the web queue (`voting.office.proposals`,
`voting.services.proposals`): each decision is final, and a refusal changes nothing.
"""

import json

import click
from flask_babel import gettext as _

from voting.cli.app import in_app
from voting.cli.forms import checked, jurisdiction_named, number, one_line, unit_named
from voting.errors import NotFound
from voting.extensions import db
from voting.models import Jurisdiction, Proposal
from voting.office import choices
from voting.office.labels import CATEGORY
from voting.office.proposals import AcceptForm, DeclineForm, MergeForm, prefill
from voting.services import catalogue, proposals

STATUS_CHOICE = click.Choice([*proposals.STATUSES, "all"])
ACCEPT_OPTIONS = {"budget_wan": "--budget", "planned_start": "--planned-start",
                  "planned_finish": "--planned-finish", "funding_source": "--funding-source"}


@click.group()
def proposal():
    """Public proposals (群众建议): list, show, accept into the library, merge, decline."""


@proposal.command("list")
@click.option("--status", type=STATUS_CHOICE, default="received", show_default=True,
              help="received = waiting for a decision")
@click.option("--jurisdiction", help="行政区 name or id")
@click.option("--oldest-first", is_flag=True)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def list_proposals(status, jurisdiction, oldest_first, as_json):
    """The queue, newest first: number, status, tracking code, date, title."""
    place = jurisdiction_named(jurisdiction) if jurisdiction else None
    query = proposals.listing(status="" if status == "all" else status,
                              jurisdiction_id=place.id if place else None,
                              oldest_first=oldest_first)
    rows = list(db.session.scalars(query))
    if as_json:
        click.echo(dump([record(p) for p in rows]))
        return
    for p in rows:
        click.echo(f"{p.id:>5}  {proposals.format_code(p.tracking_code)}  "
                   f"{p.submitted_at:%Y-%m-%d}  {proposals.status_label(p.status)}  "
                   f"{CATEGORY.get(p.category, p.category)}  {p.title}")
    click.echo(_("共%(n)d条。", n=len(rows)))


@proposal.command("show")
@click.argument("proposal_id", metavar="ID|CODE")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output")
@in_app
def show(proposal_id, as_json):
    """One proposal with its contact (staff only), reply and likely duplicates."""
    found = find_proposal(proposal_id)
    details = {**record(found), "description": found.description, "contact": found.contact,
               "kept_id": kept.id if (kept := proposals.kept_proposal(found)) else None,
               "duplicates": [
                   {"id": other.id, "title": other.title, "status": other.status,
                    "similarity": round(score, 2)}
                   for other, score in (proposals.possible_duplicates(found)
                                        if found.status == "received" else [])]}
    if as_json:
        click.echo(dump(details))
        return
    click.echo(f"#{found.id} {found.title}  [{proposals.status_label(found.status)}]")
    for label, value in ((_("查询码"), proposals.format_code(found.tracking_code)),
                         (_("提交时间"), f"{found.submitted_at:%Y-%m-%d %H:%M}"),
                         (_("行政区"), found.jurisdiction.name),
                         (_("类别"), CATEGORY.get(found.category, found.category)),
                         (_("地点"), found.location or "—"),
                         (_("联系方式"), found.contact or "—")):
        click.echo(f"{label}: {value}")
    click.echo(f"\n{found.description}\n")
    if found.project is not None:
        click.echo(_("已纳入项目库：") + f"{found.project.title} (project {found.project_id})")
    if kept is not None:
        click.echo(_("已合并到：") + _("第%(n)d号", n=kept.id) + f" {kept.title}")
    if found.status != "received":
        click.echo(_("公开答复") + f": {found.reply or '—'}")
    for other in details["duplicates"]:
        click.echo(_("可能重复：第%(n)d号 %(title)s（相似度 %(p)d%%）", n=other["id"],
                     title=other["title"], p=round(other["similarity"] * 100)))


@proposal.command("accept")
@click.argument("proposal_id", metavar="ID|CODE")
@click.option("--budget", help="总投资, 万元 (required)")
@click.option("--unit", help="承办单位 of the jurisdiction, by name or id (default: 未定)")
@click.option("--year", help="实施年度 (default: next year from September)")
@click.option("--title", help="Project title (default: the proposal's)")
@click.option("--category", type=click.Choice(list(CATEGORY)), help="(default: the proposal's)")
@click.option("--summary", help="The one line printed on the ballot (default: the title)")
@click.option("--location")
@click.option("--description", help="(default: the proposal's text)")
@click.option("--funding-source")
@click.option("--planned-start", metavar="YYYY-MM-DD")
@click.option("--planned-finish", metavar="YYYY-MM-DD")
@click.option("--jurisdiction", help="行政区 name or id (default: the proposal's)")
@click.option("--reply", help="Public reply to the proposer (default: the usual thank-you)")
@in_app
def accept(proposal_id, budget, unit, year, title, category, summary, location, description,
           funding_source, planned_start, planned_finish, jurisdiction, reply):
    """Screen the proposal into the project library (纳入项目库): a new project, linked to it."""
    found = find_proposal(proposal_id)
    proposals.require_received(found)
    place = jurisdiction_named(jurisdiction) if jurisdiction else found.jurisdiction
    picked = unit_named(place, unit) if unit else None
    form = checked(AcceptForm, {
        "jurisdiction": place.id, "unit": picked.id if picked else None, "year": year,
        "title": title, "category": category, "budget_wan": budget, "summary": summary,
        "location": location, "description": description, "funding_source": funding_source,
        "planned_start": planned_start, "planned_finish": planned_finish, "reply": reply,
    }, current=prefill(found), options=ACCEPT_OPTIONS,
        choices={"jurisdiction": choices.jurisdiction_choices(),
                 "unit": choices.unit_choices()})
    fields = {name: form[name].data for name in catalogue.PROJECT_FIELDS if name in form}
    project = proposals.accept_into_library(
        found, jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
        unit=picked, reply=form.reply.data or "", **fields)
    db.session.commit()
    click.echo(_("已纳入项目库：“%(title)s”。", title=project.title) + f" (project {project.id})")


@proposal.command("merge")
@click.argument("proposal_id", metavar="ID|CODE")
@click.argument("into", metavar="INTO")
@click.option("--reply", help="Public reply (default: one naming the proposal kept)")
@in_app
def merge(proposal_id, into, reply):
    """Merge a duplicate into INTO (the proposal kept, by number or tracking code): 合并办理."""
    found, kept = find_proposal(proposal_id), find_proposal(into)
    form = checked(MergeForm, {"reply": reply})
    proposals.merge(found, kept, form.reply.data or "")
    db.session.commit()
    click.echo(_("已合并到建议“%(title)s”。", title=kept.title))


@proposal.command("decline")
@click.argument("proposal_id", metavar="ID|CODE")
@click.option("--reply", required=True, help="The reason, published to the proposer")
@in_app
def decline(proposal_id, reply):
    """不予采纳, with the reason the public will read."""
    found = find_proposal(proposal_id)
    form = checked(DeclineForm, {"reply": reply})
    proposals.decline(found, form.reply.data)
    db.session.commit()
    click.echo(_("已答复不予采纳：“%(title)s”。", title=found.title))


def find_proposal(text: str) -> Proposal:
    """By number (12, #12) or tracking code (7KQ4-MZ2H, any case)."""
    text = one_line(text).strip().lstrip("#＃")
    found = db.session.get(Proposal, number(text)) if number(text) \
        else proposals.find_by_code(text)
    if found is None:
        raise NotFound(_("找不到编号或查询码为“%(text)s”的建议。", text=text))
    return found


def record(p: Proposal) -> dict:
    """A proposal for scripts (the contact only in `show`)."""
    return {"id": p.id, "code": proposals.format_code(p.tracking_code), "title": p.title,
            "category": p.category, "jurisdiction": p.jurisdiction.name, "location": p.location,
            "submitted_at": p.submitted_at.isoformat(timespec="seconds"), "status": p.status,
            "reply": p.reply, "project_id": p.project_id, "merged_into_id": p.merged_into_id}


def dump(obj) -> str:
    return json.dumps(obj, ensure_ascii=False, indent=1)
