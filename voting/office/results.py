"""The result of a closed ballot in the back office: the count, the scrutineers' signatures,
publication, the runoff and the announcement (公告).

Clerks and the ballot's own scrutineers see the result page. Each scrutineer certifies it with
the password that unseals their personal key; wrong passwords are throttled per scrutineer and
per address. A clerk publishes once every scrutineer has signed. The state changes are the
services of `voting.services.results`; `result_sheet` prepares what the pages show (also the
public ones).
"""

from datetime import datetime

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_limiter.util import get_remote_address
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import PasswordField
from wtforms.validators import DataRequired, Length

from voting.auth.guards import role_required
from voting.errors import InvalidRequest, NotFound, WrongState
from voting.extensions import db, limiter
from voting.models import Ballot, Project
from voting.office.forms import ActionForm
from voting.office.labels import office_context
from voting.services import results

bp = Blueprint("office_results", __name__, url_prefix="/office/results")
bp.context_processor(office_context)

# Wrong certification passwords: per scrutineer wherever they try from, and per address (a
# hall's scrutineers may share one, so it allows a few of them a slip each).
CERTIFY_LIMIT_PER_ACCOUNT = "5 per minute;30 per hour"
CERTIFY_LIMIT_PER_ADDRESS = "10 per minute"

CHOICE_LABELS = {
    "for": _l("赞成"), "against": _l("不赞成"), "abstain": _l("弃权"),
    "satisfied": _l("满意"), "basically_satisfied": _l("基本满意"), "dissatisfied": _l("不满意"),
}
COLUMNS = {
    "selection": ("for", "against", "abstain"),
    "evaluation": ("satisfied", "basically_satisfied", "dissatisfied", "abstain"),
}


class CertifyForm(FlaskForm):
    password = PasswordField(_l("您的登录密码"), validators=[
        DataRequired(message=_l("请输入密码。")), Length(max=200)])


# ---------------------------------------------------------------- loading and access


def get_counted_ballot_or_404(ballot_id: int) -> Ballot:
    """A ballot whose vote is over (closed, certified or published). Raises NotFound (404) or
    WrongState (409, the voting is not over)."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound(_("找不到该表决。"))
    if ballot.state not in results.COUNTED_STATES:
        raise WrongState(_("投票尚未结束，还没有计票结果。"))
    return ballot


def check_can_see(ballot: Ballot) -> None:
    """Clerks and admins see every result; a scrutineer only those of their ballots (403)."""
    if current_user.role == "scrutineer" and not is_assigned(ballot):
        abort(403)


def is_assigned(ballot: Ballot) -> bool:
    return any(s.user_id == current_user.id for s in ballot.scrutineers)


@bp.errorhandler(WrongState)
def refused(error: WrongState):
    db.session.rollback()
    ballot = db.session.get(Ballot, (request.view_args or {}).get("ballot_id", 0))
    if ballot is not None and ballot.state in results.COUNTED_STATES:
        back = url_for(".detail", ballot_id=ballot.id)
    elif ballot is not None and current_user.role in ("clerk", "admin"):
        back = url_for("office_ballots.detail", ballot_id=ballot.id)
    else:
        back = url_for("office.dashboard")
    return render_template("office/result_refused.html", message=error.message, back=back), 409


# ---------------------------------------------------------------- pages


@bp.route("/<int:ballot_id>")
@role_required("clerk", "scrutineer")
def detail(ballot_id):
    ballot = get_counted_ballot_or_404(ballot_id)
    check_can_see(ballot)
    return render_result(ballot, CertifyForm())


def failed_attempt(response) -> bool:
    return response.status_code != 302


@bp.route("/<int:ballot_id>/certify", methods=["POST"])
@limiter.limit(CERTIFY_LIMIT_PER_ADDRESS, key_func=get_remote_address,
               deduct_when=failed_attempt)
@limiter.limit(CERTIFY_LIMIT_PER_ACCOUNT, key_func=lambda: f"user:{current_user.get_id()}",
               deduct_when=failed_attempt)
@role_required("scrutineer", admin=False)
def certify(ballot_id):
    """监票签署. Only a failed attempt counts against the limits (then 429, the message page).
    A failed attempt commits nothing, so it leaves no audit entry either."""
    ballot = get_counted_ballot_or_404(ballot_id)
    form = CertifyForm()
    if not form.validate_on_submit():
        return render_result(ballot, form, commit=False), 400
    try:
        complete = results.certify_result(ballot, current_user._get_current_object(),
                                          form.password.data)
    except InvalidRequest as error:
        db.session.rollback()
        form.password.errors = [error.message]
        return render_result(ballot, form, commit=False), 400
    db.session.commit()
    flash(_("已签署计票结果。") + (_("全体监票人均已签署，可以公布。") if complete else ""),
          "success")
    return redirect(url_for(".detail", ballot_id=ballot.id))


@bp.route("/<int:ballot_id>/publish", methods=["POST"])
@role_required("clerk")
def publish(ballot_id):
    ballot = get_counted_ballot_or_404(ballot_id)
    if ActionForm().validate_on_submit():
        results.publish_result(ballot)
        db.session.commit()
        flash(_("计票结果已公布。"), "success")
    return redirect(url_for(".detail", ballot_id=ballot.id))


@bp.route("/<int:ballot_id>/runoff", methods=["POST"])
@role_required("clerk")
def runoff(ballot_id):
    """另行投票 among the projects tied at the cutoff, for the seats left."""
    ballot = get_counted_ballot_or_404(ballot_id)
    if not ActionForm().validate_on_submit():
        return redirect(url_for(".detail", ballot_id=ballot.id))
    try:
        created = results.create_runoff(ballot)
    except InvalidRequest as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for(".detail", ballot_id=ballot.id))
    db.session.commit()
    flash(_("已创建另行投票“%(title)s”：请生成选票凭证后开启投票。", title=created.title),
          "success")
    return redirect(url_for("office_ballots.detail", ballot_id=created.id))


@bp.route("/<int:ballot_id>/announcement")
@role_required("clerk", "scrutineer")
def announcement(ballot_id):
    """公告, printable on A4 (static/css/print.css)."""
    ballot = get_counted_ballot_or_404(ballot_id)
    check_can_see(ballot)
    sheet = result_sheet(ballot)
    db.session.commit()  # the count, when this is the first look at it
    return render_template("office/result_announcement.html", sheet=sheet)


def render_result(ballot: Ballot, form: CertifyForm, commit: bool = True):
    """The result page. `commit`: keep the count recorded on a first look (not on a refusal,
    which commits nothing: its request's audit entry would go with it)."""
    sheet = result_sheet(ballot)
    if commit:
        db.session.commit()
    signed = current_user.id in results.signed_by(ballot)
    can_certify = (ballot.state == "closed" and current_user.role == "scrutineer"
                   and is_assigned(ballot) and not signed)
    return render_template("office/result.html", sheet=sheet, form=form, action=ActionForm(),
                           can_certify=can_certify, signed=signed)


# ---------------------------------------------------------------- what the pages show


def result_sheet(ballot: Ballot) -> dict:
    """Everything the result pages and the announcement show, from the recorded result."""
    result = results.record_result(ballot)
    rows = candidate_rows(ballot, result)
    by_id = {row["id"]: row for row in rows}
    runoff = db.session.scalar(db.select(Ballot).filter_by(runoff_of_id=ballot.id))
    return {
        "ballot": ballot, "result": result, "kind": ballot.kind, "rows": rows,
        "columns": [(word, CHOICE_LABELS[word]) for word in COLUMNS[ballot.kind]],
        "selected": [by_id[cid] for cid in result["selected"]],
        "tied": [by_id[cid] for cid in result["tied"]],
        "chart": bar_chart(ballot.kind, rows, result,
                           (ballot.threshold_num, ballot.threshold_den)),
        "scrutineers": scrutineer_rows(ballot),
        "complete": not results.pending_scrutineers(ballot),
        "runoff": runoff, "final": final_projects(ballot) if runoff else [],
        "session_title": session_title(ballot),
        "number": announcement_number(ballot),
        # Times are stored as the server's naive local time: shown as they are, never shifted.
        "date": format_date(ballot.closed_at.date(), "long") if ballot.closed_at else "",
    }


def candidate_rows(ballot: Ballot, result: dict) -> list[dict]:
    """One row per candidate in the ballot's order, with its counts and outcome."""
    rows = []
    for position, candidate in enumerate(ballot.candidates, start=1):
        cid = str(candidate.project_id)
        counts = result["counts"][cid]
        row = {"id": cid, "position": position, "project": candidate.project,
               "title": candidate.project.title, "counts": counts, "outcome": ""}
        if ballot.kind == "selection":
            row["outcome"] = "selected" if cid in result["selected"] \
                else "tied" if cid in result["tied"] else ""
            row["reached"] = counts["for"] >= result["threshold"]
        else:
            row.update(rate=percent(counts["rate"]), grade=CHOICE_LABELS[counts["grade"]],
                       grade_code=counts["grade"], rectify=counts["rectify"])
        rows.append(row)
    return rows


def percent(rate: float) -> str:
    """0.9318 → "93.18%"."""
    return f"{rate * 100:.2f}%"


def fingerprint(public_key: str | None) -> str:
    """The first 16 hex characters of a public key in groups of 4: "3f2a 9c01 77be 0d45"."""
    key = (public_key or "")[:16]
    return " ".join(key[i:i + 4] for i in range(0, len(key), 4))


def scrutineer_rows(ballot: Ballot) -> list[dict]:
    """The 总监票人 first, then the 监票人 by name; signed or not, with key fingerprints."""
    signatures = {c.user_id: c for c in ballot.certifications}
    rows = []
    for s in sorted(ballot.scrutineers, key=lambda s: (not s.chief, s.user.display_name)):
        signature = signatures.get(s.user_id)
        rows.append({
            "name": s.user.display_name, "chief": bool(s.chief),
            "public_key": signature.public_key if signature else s.user.public_key,
            "fingerprint": fingerprint(signature.public_key if signature else s.user.public_key),
            "signed_at": signature.signed_at.strftime("%Y-%m-%d %H:%M") if signature else None,
        })
    return rows


def final_projects(ballot: Ballot) -> list[Project]:
    """The session's final list: this ballot's selection, then its runoff's."""
    return [db.session.get(Project, pid) for pid in results.final_selection(ballot)]


def session_title(ballot: Ballot) -> str:
    """青川县第十八届人民代表大会第六次会议: the jurisdiction's name in front if the title
    lacks it."""
    title, name = ballot.session.title, ballot.session.term.jurisdiction.name
    return title if title.startswith(name) else name + title


def announcement_number(ballot: Ballot) -> int:
    """公告第X号: the ballots of the session in the order their vote closed."""
    def key(b):
        return (b.closed_at or datetime.max, b.id)

    return sum(1 for b in ballot.session.ballots
               if b.closed_at is not None and key(b) <= key(ballot)) or 1


# ---------------------------------------------------------------- the chart


CHART = {"width": 720, "label": 250, "bar": 380, "row": 32, "top": 30}
BAR_FILL = {"selected": "#b3121f", "tied": "#c77700", "": "#8d939a"}
SEGMENT_FILL = {"satisfied": "#1b6e2e", "basically_satisfied": "#7fb88a",
                "dissatisfied": "#c0392b", "abstain": "#d0d3d8"}


def bar_chart(kind: str, rows: list[dict], result: dict, fraction: tuple[int, int]) -> dict:
    """Geometry of the horizontal bar chart (SVG attributes only: the CSP forbids style="").

    Selection: one bar of "for" votes per project and a line at the threshold. Evaluation: one
    stacked bar per project (满意, 基本满意, 不满意, 弃权) and a line at `fraction` of the valid
    ballots (more 满意 than that: graded 满意).
    """
    c = CHART
    x0, valid = c["label"] + 10, result["valid"]
    if kind == "selection":
        line_value = result["threshold"]
        scale = max(valid, line_value, *(r["counts"]["for"] for r in rows), 1)
    else:
        line_value = valid * fraction[0] / fraction[1]
        scale = max(valid, 1)
    bars = []
    for i, row in enumerate(rows):
        y = c["top"] + i * c["row"]
        segments, x = [], x0
        for word in (("for",) if kind == "selection" else COLUMNS["evaluation"]):
            width = row["counts"][word] / scale * c["bar"]
            fill = BAR_FILL[row["outcome"]] if kind == "selection" else SEGMENT_FILL[word]
            segments.append({"x": round(x, 1), "width": round(width, 1), "fill": fill,
                             "label": CHOICE_LABELS[word], "value": row["counts"][word]})
            x += width
        value = row["counts"]["for"] if kind == "selection" else row["rate"]
        bars.append({"y": y, "label": f"{row['position']}. {shorten(row['title'])}",
                     "title": row["title"], "segments": segments, "value": value,
                     "value_x": round(x + 6, 1)})
    line_x = round(x0 + line_value / scale * c["bar"], 1)
    height = c["top"] + len(rows) * c["row"] + (36 if kind == "evaluation" else 6)
    legend = [{"x": x0 + i * 110, "fill": SEGMENT_FILL[w], "label": CHOICE_LABELS[w]}
              for i, w in enumerate(COLUMNS["evaluation"])] if kind == "evaluation" else []
    return {"width": c["width"], "height": height, "x0": x0, "bars": bars, "bar_height": 20,
            "line": {"x": line_x, "y2": c["top"] + len(rows) * c["row"] - 6,
                     "value": line_value, "anchor": "end" if line_x > c["width"] - 120
                     else "middle"},
            "legend": legend, "legend_y": height - 22}


def shorten(title: str, limit: int = 14) -> str:
    return title if len(title) <= limit else title[:limit - 1] + "…"
