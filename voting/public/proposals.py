"""群众提: the public proposal form, the tracking-code lookup, and the proposals' status.

Nothing here needs an account. A proposer's contact is stored for the clerks and never shown
on these pages. Throttled per address (Flask-Limiter): storing proposals, any post of the form,
and code lookups; a refusal (429) keeps what the person typed on the page.

The tracking code never travels in a URL (access logs, Referer): the thank-you page reads it
from the proposer's own session, and lookups are posted.

The public list shows a proposal's title only once a clerk has screened it (accepted, merged or
declined); those still waiting are only counted, so that spam never reaches a government page.
Its proposer sees it by tracking code. A project a proposal became is linked only while it has
a public page (a library entry has none).
"""

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, NumberRange, Optional, ValidationError

from voting.errors import InvalidRequest
from voting.extensions import db, limiter
from voting.models import Jurisdiction, Proposal
from voting.models.projects import CATEGORIES
from voting.office import choices, labels
from voting.office.forms import Amount, Choice, at_most, attach_error, required
from voting.services import portal, proposals

bp = Blueprint("public_proposals", __name__, url_prefix="/proposals")

# Per address. Stored proposals: enough for a family or a village committee sharing a phone,
# not for a flood. Any post of the form (also invalid ones) has its own, looser, ceiling.
SUBMIT_LIMITS = "5 per hour;20 per day"
POST_LIMIT = "30 per hour"
TRACK_LIMITS = "20 per minute;200 per day"  # 31⁸ codes: enumeration is hopeless at this pace
PER_PAGE = 20
MAX_PAGE = 100_000
SESSION_KEY = "proposal_code"


def plain_text(value):
    """Strip, and make a textarea's CRLF line ends plain newlines."""
    if not isinstance(value, str):
        return value
    return value.replace("\r\n", "\n").replace("\r", "\n").strip()


class ProposalForm(FlaskForm):
    """The public call's form (DOMAIN.md stage 1); the optional parts fold into the description."""

    jurisdiction = Choice(_l("所属行政区"), coerce=int)
    category = Choice(_l("类别"), choices=[SelectChoice("", _l("请选择"))]
                      + labels.choices(labels.CATEGORY))
    title = StringField(_l("建议名称"), filters=[plain_text],
                        validators=[required(_l("建议名称")), at_most(100)])
    content = TextAreaField(_l("建议内容"), filters=[plain_text], validators=[
        required(_l("建议内容")),
        Length(min=10, message=_l("请把建议内容写具体一些（至少%(n)d个字）。", n=10)),
        at_most(3000)])
    location = StringField(_l("地点（选填）"), filters=[plain_text], validators=[at_most(200)])
    background = TextAreaField(_l("现状和理由（选填）"), filters=[plain_text],
                               validators=[at_most(2000)])
    unit = StringField(_l("建议由哪个部门承办（选填）"), filters=[plain_text],
                       validators=[at_most(80)])
    budget_wan = Amount(_l("估算投资（万元，选填）"), places=2, validators=[
        Optional(), NumberRange(min=0, message=_l("投资不能为负数。")),
        NumberRange(max=9_999_999, message=_l("投资数额过大。"))])
    funding_source = StringField(_l("资金来源建议（选填）"), filters=[plain_text],
                                 validators=[at_most(120)])
    contact = StringField(_l("联系方式（选填）"), filters=[plain_text], validators=[at_most(120)])
    # Honeypot: hidden from people (CSS, aria-hidden); a form robot fills every field it sees.
    website = StringField(_l("网址"), validators=[at_most(200)])

    def validate_category(self, field):
        if field.data not in CATEGORIES:
            raise ValidationError(_l("请选择建议类别。"))

    def folded_description(self) -> str:
        return proposals.compose_description(
            self.content.data, background=self.background.data or "",
            unit=self.unit.data or "", budget_wan=self.budget_wan.data,
            funding_source=self.funding_source.data or "")

    def is_robot(self) -> bool:
        return bool((self.website.data or "").strip())


class TrackForm(FlaskForm):
    code = StringField(_l("查询码"), validators=[required(_l("查询码")), at_most(40)])


def _prepare(form: ProposalForm) -> list[Jurisdiction]:
    found = choices.jurisdictions()
    form.jurisdiction.choices = [SelectChoice(j.id, j.name) for j in found]
    if not form.is_submitted():
        wanted = request.args.get("jurisdiction", type=int)
        form.jurisdiction.data = wanted if wanted in {j.id for j in found} else \
            (found[0].id if found else None)
    return found


def _stored(response) -> bool:
    return response.status_code == 303


@bp.route("/new", methods=["GET", "POST"])
@limiter.limit(SUBMIT_LIMITS, methods=["POST"], deduct_when=_stored)
@limiter.limit(POST_LIMIT, methods=["POST"])
def new():
    """The form; a stored (or repeated) proposal goes on to the thank-you page with its code."""
    form = ProposalForm()
    if not _prepare(form) and form.is_submitted():
        form.form_errors.append(_("目前还没有开放征集的行政区。"))
    elif form.validate_on_submit():
        if form.is_robot():
            form.form_errors.append(_("提交未被接受，请刷新页面后重新填写。"))
        else:
            try:
                proposal, _stored_now = proposals.submit(
                    jurisdiction=db.session.get(Jurisdiction, form.jurisdiction.data),
                    title=form.title.data, description=form.folded_description(),
                    category=form.category.data, location=form.location.data or "",
                    contact=form.contact.data or "")
            except InvalidRequest as error:
                db.session.rollback()
                if error.details.get("field") == "description":
                    error.details["field"] = "content"
                attach_error(form, error)
            else:
                db.session.commit()
                session[SESSION_KEY] = proposal.tracking_code
                return redirect(url_for(".thanks"), 303)
    status = 400 if form.is_submitted() else 200
    return render_template("public/proposals/new.html", form=form), status


@bp.route("/thanks")
def thanks():
    """The tracking code, big, with a "keep this code" hint; from this browser's session only."""
    proposal = proposals.find_by_code(session.get(SESSION_KEY, ""))
    if proposal is None:
        return redirect(url_for(".track"))
    return render_template("public/proposals/thanks.html", proposal=proposal,
                           code=proposals.format_code(proposal.tracking_code))


@bp.route("/track", methods=["GET", "POST"])
@limiter.limit(TRACK_LIMITS, methods=["POST"])
def track():
    """Look a proposal up by its code: status, the public reply, the project it became."""
    form = TrackForm()
    proposal, problem, status = None, None, 200
    if form.validate_on_submit():
        code = proposals.normalise_code(form.code.data)
        proposal = proposals.find_by_code(code) if code else None
        if code is None:
            problem, status = _("查询码是8位字母和数字，例如 7KQ4-MZ2H，请核对后重新输入。"), 400
        elif proposal is None:
            problem, status = _("没有找到这个查询码对应的建议，请核对后重新输入。"), 404
    elif form.is_submitted():
        status = 400
    return render_template("public/proposals/track.html", form=form, proposal=proposal,
                           problem=problem, **_outcome(proposal)), status


def _outcome(proposal: Proposal | None) -> dict:
    """What became of a proposal: the kept one it was merged into, and that one's project
    (`public_ids`: the projects that may be linked to)."""
    if proposal is None:
        return {"kept": None, "public_ids": set()}
    kept = proposals.kept_proposal(proposal) if proposal.status == "merged" else None
    return {"kept": kept, "public_ids": portal.public_project_ids(
        [proposal.project_id, kept.project_id if kept else None])}


@bp.route("/")
def index():
    """The screened proposals' public status: title, category, jurisdiction, status, reply,
    project; how many more are waiting to be screened."""
    filters = {
        "status": request.args.get("status", "") if request.args.get("status")
        in proposals.SCREENED else "",
        "category": request.args.get("category", "") if request.args.get("category")
        in CATEGORIES else "",
        "jurisdiction": proposals.sane_number(request.args.get("jurisdiction", type=int)),
    }
    page = db.paginate(proposals.listing(status=filters["status"], category=filters["category"],
                                         jurisdiction_id=filters["jurisdiction"],
                                         screened_only=True),
                       page=proposals.sane_number(request.args.get("page", type=int),
                                                  largest=MAX_PAGE) or 1,
                       per_page=PER_PAGE, max_per_page=PER_PAGE, error_out=False)
    kept_ids = {p.merged_into_id for p in page.items if p.merged_into_id}
    kept = {p.id: p for p in db.session.scalars(
        db.select(Proposal).where(Proposal.id.in_(kept_ids)))} if kept_ids else {}
    counts = proposals.counts_by_status(filters["jurisdiction"])
    linked = [p.project_id for p in page.items] + [p.project_id for p in kept.values()]
    return render_template("public/proposals/index.html", page=page, filters=filters,
                           kept_by_id=kept, public_ids=portal.public_project_ids(linked),
                           counts={s: counts[s] for s in proposals.SCREENED},
                           waiting=counts["received"], jurisdictions=choices.jurisdictions())


@bp.errorhandler(429)
def too_many(error):
    """Throttled: the same page again, what was typed still in it, and why in plain words."""
    if request.endpoint == "public_proposals.new":
        form = ProposalForm()
        _prepare(form)
        form.form_errors.append(_("为防止恶意刷屏，同一网络每小时最多提交5条建议、每天最多20条。"
                                  "这次的内容没有提交，还保留在下面，请过一段时间再提交。"))
        return render_template("public/proposals/new.html", form=form, throttled=True), 429
    form = TrackForm()
    return render_template("public/proposals/track.html", form=form, proposal=None, kept=None,
                           problem=_("查询太频繁，请过几分钟再试。")), 429


@bp.context_processor
def proposal_context() -> dict:
    return {"labels": labels.ALL, "status_labels": proposals.STATUS_LABELS,
            "format_code": proposals.format_code}
