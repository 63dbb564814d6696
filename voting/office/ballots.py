"""Drafting ballots (票决 / 满意度测评): definition, candidates in order, scrutineers.

Only a draft can be changed. Any attempt on a ballot past draft — a page or a POST — answers
409 with the reason and a link back, and changes nothing (`drafting.ensure_draft`).
"""

from decimal import Decimal

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from voting.auth.guards import role_required
from voting.errors import InvalidRequest, WrongState
from voting.extensions import db
from voting.models import Ballot, CongressSession, User
from voting.models.ballots import KINDS, STATES
from voting.office import choices
from voting.office.forms import (
    ActionForm,
    BallotForm,
    CandidatesForm,
    ScrutineersForm,
    attach_error,
)
from voting.office.labels import office_context
from voting.services import drafting

bp = Blueprint("office_ballots", __name__, url_prefix="/office/ballots")
bp.context_processor(office_context)


@bp.errorhandler(WrongState)
def not_a_draft(error: WrongState):
    db.session.rollback()
    ballot_id = (request.view_args or {}).get("ballot_id")
    back = url_for(".detail", ballot_id=ballot_id) if ballot_id else url_for(".index")
    return render_template("office/refused.html", message=error.message, back=back), 409


@bp.route("/")
@role_required("clerk")
def index():
    state = request.args.get("state") if request.args.get("state") in STATES else ""
    kind = request.args.get("kind") if request.args.get("kind") in KINDS else ""
    query = db.select(Ballot).order_by(Ballot.id.desc())
    if state:
        query = query.filter_by(state=state)
    if kind:
        query = query.filter_by(kind=kind)
    return render_template("office/ballots.html", ballots=list(db.session.scalars(query)),
                           state=state, kind=kind, contest=drafting.contest_label)


@bp.route("/new", methods=["GET", "POST"])
@role_required("clerk")
def create():
    form = BallotForm()
    form.session.choices = choices.session_choices()
    if not form.session.choices:
        flash(_("请先添加会议，再新建表决。"), "error")
        return redirect(url_for("office_sessions.create"))
    if not form.is_submitted() and request.args.get("session", type=int):
        form.session.data = request.args.get("session", type=int)
    return _save_ballot(form, None)


@bp.route("/<int:ballot_id>")
@role_required("clerk")
def detail(ballot_id):
    ballot = db.get_or_404(Ballot, ballot_id)
    problems = drafting.readiness(ballot) if ballot.state == "draft" else []
    return render_template("office/ballot.html", ballot=ballot, problems=problems,
                           contest=drafting.contest_label(ballot), action=ActionForm(),
                           threshold=drafting.threshold_now(ballot))


@bp.route("/<int:ballot_id>/edit", methods=["GET", "POST"])
@role_required("clerk")
def edit(ballot_id):
    ballot = drafting.get_draft_ballot(ballot_id)
    form = BallotForm(obj=ballot)
    form.session.choices = choices.session_choices()
    if not form.is_submitted():
        form.session.data = ballot.session_id
        form.threshold.data = f"{ballot.threshold_num}/{ballot.threshold_den}"
        if ballot.rectify_below_rate is not None:
            form.rectify_below.data = int(ballot.rectify_below_rate * 100)
    return _save_ballot(form, ballot)


def _save_ballot(form: BallotForm, ballot: Ballot | None):
    if form.validate_on_submit():
        num, den = (int(part) for part in form.threshold.data.split("/"))
        rate = Decimal(form.rectify_below.data) / 100 if form.rectify_below.data is not None \
            else None
        try:
            ballot = drafting.save_ballot(
                ballot, session=db.session.get(CongressSession, form.session.data),
                kind=form.kind.data, title=form.title.data, seats=form.seats.data,
                threshold_base=form.threshold_base.data, threshold_num=num, threshold_den=den,
                rules_text=form.rules_text.data, colour=form.colour.data,
                rectify_below_rate=rate)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存表决“%(title)s”。", title=ballot.title), "success")
            return redirect(url_for(".detail", ballot_id=ballot.id))
    status = 400 if form.is_submitted() else 200
    return render_template("office/ballot_form.html", form=form, ballot=ballot,
                           title=_("编辑表决") if ballot else _("新建表决")), status


@bp.route("/<int:ballot_id>/candidates", methods=["GET", "POST"])
@role_required("clerk")
def candidates(ballot_id):
    """Tick the projects and number them; the numbers give the order on the ballot."""
    ballot = drafting.get_draft_ballot(ballot_id)
    form = CandidatesForm()
    projects = drafting.eligible_projects(ballot)
    listed = {c.project_id: c.position for c in ballot.candidates}
    errors = []
    if form.validate_on_submit():
        picked, orders, errors = _read_candidate_rows(projects)
        if not errors:
            try:
                drafting.set_candidates(ballot, picked)
            except InvalidRequest as error:
                db.session.rollback()
                errors.append(error.message)
            else:
                db.session.commit()
                flash(_("已保存候选项目（%(n)d个）。", n=len(picked)), "success")
                return redirect(url_for(".detail", ballot_id=ballot.id))
        listed = {pid: orders.get(pid) for pid in picked}
    status = 400 if errors else 200
    return render_template("office/ballot_candidates.html", ballot=ballot, form=form,
                           projects=projects, listed=listed, errors=errors), status


def _read_candidate_rows(projects) -> tuple[list[int], dict[int, int], list[str]]:
    """The ticked project ids ordered by their numbers (ties keep the listing order)."""
    known = {p.id for p in projects}
    picked, orders, errors = [], {}, []
    for raw in request.form.getlist("project"):
        if not raw.isdigit() or int(raw) not in known:
            return [], {}, [_("所选项目不能列入本次表决。")]
        pid = int(raw)
        order = request.form.get(f"order-{pid}", "").strip()
        if order and not order.isdigit():
            errors.append(_("序号必须是正整数。"))
            order = ""
        picked.append(pid)
        orders[pid] = int(order) if order else 10_000 + len(picked)
    listing = {p.id: i for i, p in enumerate(projects)}
    picked.sort(key=lambda pid: (orders[pid], listing[pid]))
    return picked, orders, sorted(set(errors))


@bp.route("/<int:ballot_id>/scrutineers", methods=["GET", "POST"])
@role_required("clerk")
def scrutineers(ballot_id):
    ballot = drafting.get_draft_ballot(ballot_id)
    accounts = choices.scrutineer_accounts()
    form = ScrutineersForm()
    form.users.choices = [SelectChoice(u.id, u.display_name) for u in accounts]
    form.chief.choices = form.users.choices
    if not form.is_submitted():
        form.users.data = [s.user_id for s in ballot.scrutineers]
        form.chief.data = next((s.user_id for s in ballot.scrutineers if s.chief), None)
    if form.validate_on_submit():
        users = [db.session.get(User, uid) for uid in form.users.data]
        chief = db.session.get(User, form.chief.data) if form.chief.data else None
        try:
            drafting.set_scrutineers(ballot, users, chief)
        except InvalidRequest as error:
            db.session.rollback()
            attach_error(form, error)
        else:
            db.session.commit()
            flash(_("已保存监票人（%(n)d位）。", n=len(users)), "success")
            return redirect(url_for(".detail", ballot_id=ballot.id))
    status = 400 if form.is_submitted() else 200
    return render_template("office/ballot_scrutineers.html", ballot=ballot, form=form,
                           accounts=accounts), status


@bp.route("/<int:ballot_id>/delete", methods=["POST"])
@role_required("clerk")
def delete(ballot_id):
    ballot = drafting.get_draft_ballot(ballot_id)
    if ActionForm().validate_on_submit():
        title = ballot.title
        drafting.delete_ballot(ballot)
        db.session.commit()
        flash(_("已删除表决草稿“%(title)s”。", title=title), "success")
    return redirect(url_for(".index"))
