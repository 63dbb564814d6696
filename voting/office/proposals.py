"""The clerks' proposal queue: accept into the project library, merge duplicates, decline.

Each decision is final (see `voting.services.proposals`); a refusal shows on the proposal's page
with its message and the status of the error, and nothing is changed.
"""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from voting.auth.guards import role_required
from voting.errors import InvalidRequest, VotingError, WrongState
from voting.extensions import db
from voting.models import Jurisdiction, Proposal, ResponsibleUnit
from voting.office import choices
from voting.office.forms import (
    LocalisedErrors,
    ProjectForm,
    at_most,
    attach_error,
    required,
    strip,
)
from voting.office.labels import office_context
from voting.services import catalogue, proposals

bp = Blueprint("office_proposals", __name__, url_prefix="/office/proposals")
bp.context_processor(office_context)

PER_PAGE = 30
MAX_PAGE = 100_000


class AcceptForm(ProjectForm):
    """The library's project form, prefilled from the proposal: always 入库, source 群众建议."""

    source = None
    status = None
    reply = TextAreaField(_l("给建议人的公开答复（选填）"), filters=[strip],
                          validators=[at_most(proposals.REPLY_LIMIT)])


class Radio(LocalisedErrors, RadioField):
    parse_message = _l("请从列表中选择。")


class MergeForm(FlaskForm):
    into = Radio(_l("保留哪一条建议"), coerce=int, validate_choice=False)
    other = StringField(_l("或填写保留建议的编号或查询码"), filters=[strip],
                        validators=[at_most(40)])
    reply = TextAreaField(_l("给建议人的公开答复（选填）"), filters=[strip],
                          validators=[at_most(proposals.REPLY_LIMIT)])

    def target(self) -> Proposal | None:
        """The proposal to keep: the number or code typed, else the suggestion ticked."""
        text, field = (self.other.data or "").lstrip("#＃"), "other"
        if not text and self.into.data:
            text, field = str(self.into.data), "into"
        if not text:
            raise InvalidRequest(_("请选择保留的建议，或填写它的编号或查询码。"), field="into")
        numeric = text.isascii() and text.isdigit()  # "²".isdigit() too, but int() refuses it
        found = _by_number(text) if numeric else proposals.find_by_code(text)
        if found is None:
            raise InvalidRequest(_("找不到编号或查询码为“%(text)s”的建议。", text=text),
                                 field=field)
        return found


class DeclineForm(FlaskForm):
    reply = TextAreaField(_l("不予采纳的理由（将公开答复建议人）"), filters=[strip],
                          validators=[required(_l("不予采纳的理由")),
                                      at_most(proposals.REPLY_LIMIT)])


def get_proposal_or_404(proposal_id: int) -> Proposal:
    """The proposal; 404 when there is none (also for ids too large to be one)."""
    number = proposals.sane_number(proposal_id)
    return db.get_or_404(Proposal, number) if number else abort(404)


def _by_number(text: str) -> Proposal | None:
    number = proposals.sane_number(int(text))
    return db.session.get(Proposal, number) if number else None


@bp.route("/")
@role_required("clerk")
def index():
    """The queue: one status at a time (待办理 first), newest or oldest first, with counts."""
    status = request.args.get("status", "received")
    if status != "all" and status not in proposals.STATUSES:
        status = "received"
    filters = {"status": status, "order": "oldest" if request.args.get("order") == "oldest"
               else "newest",
               "jurisdiction": proposals.sane_number(request.args.get("jurisdiction", type=int)),
               "q": request.args.get("q", "").strip()[:60]}
    query = proposals.listing(status="" if status == "all" else status,
                              jurisdiction_id=filters["jurisdiction"],
                              oldest_first=filters["order"] == "oldest", words=filters["q"])
    page = db.paginate(query, page=proposals.sane_number(request.args.get("page", type=int),
                                                         largest=MAX_PAGE) or 1,
                       per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    return render_template("office/proposals/index.html", page=page, filters=filters,
                           counts=proposals.counts_by_status(filters["jurisdiction"]),
                           jurisdictions=choices.jurisdictions(),
                           status_labels=proposals.STATUS_LABELS)


@bp.route("/<int:proposal_id>")
@role_required("clerk")
def detail(proposal_id):
    """One proposal with its contact, likely duplicates, and the three decisions as forms."""
    proposal = get_proposal_or_404(proposal_id)
    return _detail(proposal, MergeForm(prefix="merge"), DeclineForm(prefix="decline"))


def _detail(proposal: Proposal, merge_form: MergeForm, decline_form: DeclineForm,
            status: int = 200, refusal: str | None = None):
    duplicates = proposals.possible_duplicates(proposal) if proposal.status == "received" else []
    merge_form.into.choices = [SelectChoice(other.id, other.title) for other, _score in duplicates]
    if not duplicates:
        merge_form.other.label.text = _("保留建议的编号或查询码")
    merged_here = db.session.scalars(db.select(Proposal).filter_by(merged_into_id=proposal.id)
                                     .order_by(Proposal.submitted_at)).all()
    return render_template(
        "office/proposals/detail.html", proposal=proposal, duplicates=duplicates,
        merge_form=merge_form, decline_form=decline_form, refusal=refusal,
        kept=proposals.kept_proposal(proposal) if proposal.status == "merged" else None,
        merged_here=merged_here, status_labels=proposals.STATUS_LABELS,
        format_code=proposals.format_code), status


@bp.route("/<int:proposal_id>/merge", methods=["POST"])
@role_required("clerk")
def merge(proposal_id):
    proposal = get_proposal_or_404(proposal_id)
    form = MergeForm(prefix="merge")
    if form.validate_on_submit():
        try:
            kept = form.target()
            proposals.merge(proposal, kept, form.reply.data or "")
        except VotingError as error:
            return _refused(proposal, form, error, merge_form=form)
        db.session.commit()
        flash(_("已合并到建议“%(title)s”。", title=kept.title), "success")
        return redirect(url_for(".index"))
    return _detail(proposal, form, DeclineForm(prefix="decline", formdata=None), status=400)


@bp.route("/<int:proposal_id>/decline", methods=["POST"])
@role_required("clerk")
def decline(proposal_id):
    proposal = get_proposal_or_404(proposal_id)
    form = DeclineForm(prefix="decline")
    if form.validate_on_submit():
        try:
            proposals.decline(proposal, form.reply.data)
        except VotingError as error:
            return _refused(proposal, form, error, decline_form=form)
        db.session.commit()
        flash(_("已答复不予采纳：“%(title)s”。", title=proposal.title), "success")
        return redirect(url_for(".index"))
    return _detail(proposal, MergeForm(prefix="merge", formdata=None), form, status=400)


def _refused(proposal: Proposal, form: FlaskForm | None, error: VotingError, **forms):
    """Roll back and show the proposal again: a field's error on it, any other at the top."""
    db.session.rollback()
    refusal = None
    if form is not None and error.details.get("field") in form._fields:
        attach_error(form, error)
    else:
        refusal = error.message
    merge_form = forms.get("merge_form") or MergeForm(prefix="merge", formdata=None)
    decline_form = forms.get("decline_form") or DeclineForm(prefix="decline", formdata=None)
    return _detail(proposal, merge_form, decline_form, status=error.status, refusal=refusal)


@bp.route("/<int:proposal_id>/accept", methods=["GET", "POST"])
@role_required("clerk")
def accept(proposal_id):
    """纳入项目库: the project form, prefilled from the proposal, for the clerk to complete."""
    proposal = get_proposal_or_404(proposal_id)
    try:
        proposals.require_received(proposal)
    except WrongState as error:
        if request.method == "POST":
            return _refused(proposal, None, error)
        flash(error.message, "error")
        return redirect(url_for(".detail", proposal_id=proposal.id))
    form = AcceptForm() if request.method == "POST" else AcceptForm(data=prefill(proposal))
    form.jurisdiction.choices = choices.jurisdiction_choices()
    form.unit.choices = choices.unit_choices()
    status = 200
    if form.validate_on_submit():
        fields = {name: form[name].data for name in catalogue.PROJECT_FIELDS if name in form}
        try:
            project = proposals.accept_into_library(
                proposal, jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
                unit=db.session.get(ResponsibleUnit, form.unit.data) if form.unit.data else None,
                reply=form.reply.data or "", **fields)
        except VotingError as error:
            db.session.rollback()
            if error.details.get("field") not in form._fields:
                return _refused(proposal, form, error)
            attach_error(form, error)
            status = error.status
        else:
            db.session.commit()
            flash(_("已纳入项目库：“%(title)s”。", title=project.title), "success")
            return redirect(url_for(".index"))
    elif form.is_submitted():
        status = 400
    return render_template("office/proposals/accept.html", form=form, proposal=proposal,
                           title=_("纳入项目库"), format_code=proposals.format_code,
                           back=url_for(".detail", proposal_id=proposal.id)), status


def prefill(proposal: Proposal) -> dict:
    return {"jurisdiction": proposal.jurisdiction_id, "title": proposal.title,
            "category": proposal.category, "location": proposal.location,
            "summary": proposal.title[:300], "description": proposal.description, "unit": 0}
