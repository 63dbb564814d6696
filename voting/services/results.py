"""After the vote: the count, the scrutineers' certification, publication, runoffs, the export.

The rules themselves are in `voting.domain.counting`; this module feeds them the stored ballots
and records what they return.
"""

import json
from datetime import datetime

from flask_babel import gettext as _

from voting.domain import counting
from voting.domain.tokens import WrongPassword, unseal_private_key
from voting.errors import Forbidden, InvalidRequest, WrongState
from voting.extensions import db
from voting.models import Ballot, BallotCandidate, BallotScrutineer, CastBallot, Receipt, Token
from voting.services import progress
from voting.services.ballots import ballot_definition, lock_ballot, opening_key, state_label

COUNTED_STATES = ("closed", "certified", "published")


def require_state(ballot: Ballot, *states: str) -> None:
    """Raise WrongState unless the ballot is in one of `states`."""
    if ballot.state not in states:
        raise WrongState(_("表决当前状态为“%(state)s”，不能进行此操作。",
                           state=state_label(ballot.state)))


def ledger_of(ballot: Ballot) -> dict:
    """The token ledger: every minted hash, the voided ones, the public parts of the spent ones."""
    rows = db.session.execute(
        db.select(Token.hash, Token.public, Token.state).filter_by(ballot_id=ballot.id)
    ).all()
    return {
        "minted": sorted(h for h, _p, _s in rows),
        "voided": sorted(h for h, _p, s in rows if s == "voided"),
        "spent": sorted(p for _h, p, s in rows if s == "spent"),
    }


def cast_ballots(ballot: Ballot) -> list[dict]:
    rows = db.session.execute(
        db.select(CastBallot.id, CastBallot.choices).filter_by(ballot_id=ballot.id)
    ).all()
    return [{"id": i, "choices": json.loads(c)} for i, c in rows]


def compute_result(ballot: Ballot) -> dict:
    """The result document, recomputed from the stored ballots, the ledger and the receipts."""
    ledger = ledger_of(ballot)
    receipts = db.session.scalars(db.select(Receipt.code).filter_by(ballot_id=ballot.id)).all()
    return counting.tally(
        ballot_definition(ballot), cast_ballots(ballot),
        roster=ballot.roster_count or 0, present=ballot.present_count or 0,
        issued=len(ledger["minted"]) - len(ledger["voided"]), ledger=ledger, receipts=receipts,
    )


def record_result(ballot: Ballot) -> dict:
    """Count a closed ballot once and keep the canonical document the scrutineers will sign."""
    require_state(ballot, *COUNTED_STATES)
    if ballot.result is None:
        ballot.result = counting.canonical(compute_result(ballot)).decode()
    return json.loads(ballot.result)


def result_of(ballot: Ballot) -> dict:
    return record_result(ballot)


def signed_by(ballot: Ballot) -> set[int]:
    return {c.user_id for c in ballot.certifications}


def certify_result(ballot: Ballot, user, password: str) -> bool:
    """监票签署: `user` signs the canonical result with their own key. True once all have signed.

    Raises Forbidden (not a scrutineer of this ballot), WrongState (not closed, or already
    signed by this user, or the definition no longer matches the opening commitment),
    InvalidRequest (wrong password, or a key other than the one committed at opening: nothing
    is signed).
    """
    _lock(ballot)
    require_state(ballot, "closed")
    assignment = next((s for s in ballot.scrutineers if s.user_id == user.id), None)
    if assignment is None:
        raise Forbidden(_("您不是本次表决的监票人。"))
    if user.id in signed_by(ballot):
        raise WrongState(_("您已经签署过本次表决结果。"))
    try:
        key = unseal_private_key(user.sealed_key or "", password)
    except WrongPassword:
        raise InvalidRequest(_("密码不正确，未签署。")) from None
    definition = ballot_definition(ballot)
    if ballot.commitment and json.loads(ballot.commitment).get("definition_digest") \
            != counting.digest(definition):
        # Signing now would certify a document whose export can never verify.
        raise WrongState(_("表决内容（候选项目、承办单位或监票人）在开启后被修改，"
                           "与开启时的公开承诺不一致，不能签署。请先恢复原内容。"))
    committed = {s["name"]: s["public_key"] for s in definition["scrutineers"]}
    if counting.public_key_hex(key) != user.public_key \
            or committed.get(user.display_name) != user.public_key:
        raise InvalidRequest(_("您的签名密钥与开启表决时公布的不一致，不能签署。"))
    result = record_result(ballot)
    ballot.certifications.append(_certification(ballot, user, key, result))
    if {s.user_id for s in ballot.scrutineers} <= signed_by(ballot) | {user.id}:
        ballot.state = "certified"
        return True
    return False


def _lock(ballot: Ballot) -> None:
    """Take the ballot's lock and re-read it, so that two scrutineers signing at the same moment
    cannot both miss being the last one (which would leave the ballot closed forever)."""
    lock_ballot(ballot.id, exclusive=True)
    db.session.expire(ballot)


def pending_scrutineers(ballot: Ballot) -> list:
    """The assigned scrutineers (User) who have not signed yet, the 总监票人 first."""
    done = signed_by(ballot)
    return [s.user for s in sorted(ballot.scrutineers,
                                   key=lambda s: (not s.chief, s.user.display_name))
            if s.user_id not in done]


def _certification(ballot, user, key, result):
    from voting.models import Certification

    return Certification(ballot_id=ballot.id, user_id=user.id, public_key=user.public_key,
                         signature=counting.sign_result(key, result), signed_at=datetime.now())


def publish_result(ballot: Ballot) -> None:
    """公布: only once every assigned scrutineer has signed. Updates the projects' status.

    Raises WrongState (409) naming the scrutineers who have not signed yet, or for a ballot
    that is not certified.
    """
    _lock(ballot)
    if ballot.state == "closed":
        names = _("、").join(u.display_name for u in pending_scrutineers(ballot))
        raise WrongState(_("还有监票人未签署，不能公布：%(names)s。", names=names))
    require_state(ballot, "certified")
    result = result_of(ballot)
    ballot.state = "published"
    ballot.published_at = datetime.now()
    by_id = {str(c.project_id): c.project for c in ballot.candidates}
    if ballot.kind == "selection":
        for pid, project in by_id.items():
            if pid in result["selected"]:
                project.status = "selected"
            elif pid not in result["tied"]:
                project.status = "not_selected"
    else:
        for pid, project in by_id.items():
            progress.order_rectification(project, bool(result["counts"][pid].get("rectify")))


def create_runoff(ballot: Ballot) -> Ballot:
    """另行投票: a new draft ballot among the projects tied at the cutoff, for the seats left."""
    require_state(ballot, *COUNTED_STATES)
    result = result_of(ballot)
    if not result["tied"]:
        raise InvalidRequest(_("本次表决没有并列票数，不需要另行投票。"))
    if db.session.scalar(db.select(Ballot.id).filter_by(runoff_of_id=ballot.id)):
        raise WrongState(_("已经为本次表决创建过另行投票。"))
    runoff = Ballot(
        session_id=ballot.session_id, kind="selection", seats=result["runoff_seats"],
        title=_("%(title)s（另行投票）", title=ballot.title), runoff_of=ballot,
        threshold_base=ballot.threshold_base, threshold_num=ballot.threshold_num,
        threshold_den=ballot.threshold_den, rules_text=ballot.rules_text,
        # A slip of another colour (one of the office's choices), so the two never mix up.
        colour="#1f5fbf" if ballot.colour != "#1f5fbf" else "#1b7a3a",
    )
    for position, pid in enumerate(result["tied"], start=1):
        runoff.candidates.append(BallotCandidate(project_id=int(pid), position=position))
    for s in ballot.scrutineers:
        runoff.scrutineers.append(BallotScrutineer(user_id=s.user_id, chief=s.chief))
    db.session.add(runoff)
    db.session.flush()
    return runoff


def final_selection(ballot: Ballot) -> list[int]:
    """The session's selected projects: a ballot's selection followed by its runoffs' (in order)."""
    selected = [int(pid) for pid in result_of(ballot)["selected"]] \
        if ballot.state in COUNTED_STATES else []
    runoff = db.session.scalar(db.select(Ballot).filter_by(runoff_of_id=ballot.id))
    return selected + (final_selection(runoff) if runoff else [])


def export_document(ballot: Ballot) -> dict:
    """公示数据: everything needed to re-check the result (docs/formats.md)."""
    require_state(ballot, "certified", "published")
    names = {s.user_id: s.user.display_name for s in ballot.scrutineers}
    signatures = [
        {"scrutineer": names.get(c.user_id, c.user.display_name), "public_key": c.public_key,
         "signature": c.signature}
        for c in sorted(ballot.certifications, key=lambda c: c.public_key)
    ]
    receipts = db.session.scalars(db.select(Receipt.code).filter_by(ballot_id=ballot.id)).all()
    return counting.make_export(
        definition=ballot_definition(ballot),
        instance_public_key=opening_key(ballot),
        commitment=json.loads(ballot.commitment), commitment_signature=ballot.commitment_signature,
        ledger=ledger_of(ballot), ballots=cast_ballots(ballot), receipts=receipts,
        result=result_of(ballot), signatures=signatures,
    )
