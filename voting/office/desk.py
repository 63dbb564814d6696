"""The voting desk (会务票务台): mint and print the slips, void the leftovers, open and close.

Tokens exist only in the download a mint answers with (the database keeps hashes), so minting
and downloading are one action. Opening and closing ask for confirmation on a page of their own
(no script needed). While a ballot is open the page shows the number of ballots cast, polled
from `count.json` by static/js/desk.js: a number, nothing about the ballots.
"""

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange

from voting.auth.guards import role_required
from voting.errors import VotingError
from voting.extensions import db
from voting.models import Ballot
from voting.office.forms import ActionForm, Integer
from voting.office.labels import office_context
from voting.services import ballots as ballot_service
from voting.services import slips

bp = Blueprint("office_desk", __name__, url_prefix="/office/desk")
bp.context_processor(office_context)


class MintForm(FlaskForm):
    count = Integer(_l("选票张数"), validators=[
        DataRequired(message=_l("请填写选票张数。")),
        NumberRange(min=1, max=ballot_service.MAX_MINT,
                    message=_l("应在1到%(n)d之间。", n=ballot_service.MAX_MINT))])
    format = RadioField(_l("下载格式"), default="html", choices=[
        SelectChoice("html", _l("打印用选票（A4，每页8张二维码）")),
        SelectChoice("txt", _l("投票网址清单（文本，每行一个）"))])


class VoidForm(FlaskForm):
    slip = StringField(_l("扫描或粘贴选票二维码的内容"), validators=[
        DataRequired(message=_l("请扫描选票二维码。")), Length(max=400)])


@bp.route("/")
@role_required("clerk")
def index():
    ballots = db.session.scalars(db.select(Ballot).order_by(Ballot.id.desc())).all()
    return render_template("office/desk_index.html", ballots=ballots)


@bp.route("/<int:ballot_id>")
@role_required("clerk")
def desk(ballot_id):
    ballot = ballot_service.get_ballot_or_404(ballot_id)
    return desk_page(ballot, MintForm(), VoidForm())


@bp.post("/<int:ballot_id>/tokens")
@role_required("clerk")
def mint(ballot_id):
    """Mint N tokens and answer with the only copy of them: the slip sheet or the URL list."""
    ballot = ballot_service.get_ballot_or_404(ballot_id)
    form = MintForm()
    if not form.validate():
        return desk_page(ballot, form, VoidForm(), status=400)
    try:
        tokens = ballot_service.mint_tokens(ballot, form.count.data)
    except VotingError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".desk", ballot_id=ballot.id))
    body = slips.slip_sheet(ballot, tokens) if form.format.data == "html" \
        else slips.url_list(tokens)
    db.session.commit()  # after rendering: a failed render mints nothing
    kind = "html" if form.format.data == "html" else "txt"
    response = make_response(body)
    response.mimetype = "text/html" if kind == "html" else "text/plain"
    response.headers["Content-Disposition"] = \
        f'attachment; filename="ballot-{ballot.id}-slips-{len(tokens)}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<int:ballot_id>/void")
@role_required("clerk")
def void(ballot_id):
    """作废 a slip not handed out, scanned (a desk scanner types the URL and Enter) or pasted."""
    ballot = ballot_service.get_ballot_or_404(ballot_id)
    form = VoidForm()
    if not form.validate():
        return desk_page(ballot, MintForm(), form, status=400)
    try:
        ballot_service.void_token(ballot, form.slip.data)
    except VotingError as error:
        db.session.rollback()
        form.slip.errors = [error.message]
        form.slip.data = ""  # never show a token back
        return desk_page(ballot, MintForm(), form, status=error.status)
    db.session.commit()
    flash(_("已作废一张选票。"), "success")
    return redirect(url_for(".desk", ballot_id=ballot.id, _anchor="void"))


@bp.route("/<int:ballot_id>/open", methods=["GET", "POST"])
@role_required("clerk")
def open_vote(ballot_id):
    return change_state(ballot_id, "open")


@bp.route("/<int:ballot_id>/close", methods=["GET", "POST"])
@role_required("clerk")
def close_vote(ballot_id):
    return change_state(ballot_id, "close")


@bp.get("/<int:ballot_id>/count.json")
@role_required("clerk")
def count(ballot_id):
    ballot = ballot_service.get_ballot_or_404(ballot_id)
    response = jsonify(state=ballot.state, cast=ballot_service.cast_count(ballot))
    response.headers["Cache-Control"] = "no-store"
    return response


# ---------------------------------------------------------------- helpers


def change_state(ballot_id: int, action: str):
    """GET: the confirmation page; POST (CSRF-checked): open or close, then back to the desk."""
    ballot = ballot_service.get_ballot_or_404(ballot_id)
    form = ActionForm()
    if request.method == "POST" and form.validate():
        act = ballot_service.open_ballot if action == "open" else ballot_service.close_ballot
        try:
            act(ballot)
        except VotingError as error:
            db.session.rollback()
            flash(error.message, "error")
            return redirect(url_for(".desk", ballot_id=ballot.id))
        db.session.commit()
        flash(_("已开始投票。") if action == "open" else _("投票已截止。"), "success")
        return redirect(url_for(".desk", ballot_id=ballot.id))
    return render_template("office/desk_confirm.html", ballot=ballot, action=action, form=form,
                           counts=ballot_service.token_counts(ballot),
                           cast=ballot_service.cast_count(ballot))


def desk_page(ballot: Ballot, mint_form: MintForm, void_form: VoidForm, status: int = 200):
    return render_template(
        "office/desk.html", ballot=ballot, mint_form=mint_form, void_form=void_form,
        counts=ballot_service.token_counts(ballot), cast=ballot_service.cast_count(ballot),
        base=current_app.config["PUBLIC_BASE_URL"],
    ), status
