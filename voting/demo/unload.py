"""Removing a demo whose load failed after part of it was committed.

Holding the past sitting commits ballot by ballot (`sitting.py`), so a failure there would leave
half a demo. `remove_demo` deletes every row that hangs off the demo's jurisdictions, and the demo
accounts, in an order the foreign keys accept; it touches nothing else.
"""

from sqlalchemy import delete, select

from voting.demo import data
from voting.extensions import db
from voting.models import (
    Attendance,
    Ballot,
    BallotCandidate,
    BallotScrutineer,
    CastBallot,
    Certification,
    CongressSession,
    Delegation,
    Deputy,
    Jurisdiction,
    Milestone,
    Photo,
    ProgressUpdate,
    Project,
    Proposal,
    Receipt,
    ResponsibleUnit,
    SupervisionNote,
    Term,
    Token,
    User,
)


def remove_demo(usernames: list[str]) -> bool:
    """Delete the committed demo rows (the county, its towns, everything on them) and the
    demo accounts `usernames`, and commit; False when the county is not there."""
    county = db.session.scalar(select(Jurisdiction.id).filter_by(name=data.COUNTY))
    if county is None:  # nothing was committed (or the county was never ours to remove)
        return False
    places = [county, *db.session.scalars(select(Jurisdiction.id).filter_by(parent_id=county))]
    sessions = select(CongressSession.id).join(Term).where(Term.jurisdiction_id.in_(places))
    ballots = select(Ballot.id).where(Ballot.session_id.in_(sessions))
    projects = select(Project.id).where(Project.jurisdiction_id.in_(places))
    updates = select(ProgressUpdate.id).where(ProgressUpdate.project_id.in_(projects))
    for model in (Certification, Receipt, CastBallot, Token, BallotScrutineer, BallotCandidate):
        db.session.execute(delete(model).where(model.ballot_id.in_(ballots)))
    db.session.execute(delete(Ballot).where(Ballot.id.in_(ballots)))
    db.session.execute(delete(Attendance).where(Attendance.session_id.in_(sessions)))
    db.session.execute(delete(Photo).where(Photo.update_id.in_(updates)))
    for model in (ProgressUpdate, Milestone, SupervisionNote):
        db.session.execute(delete(model).where(model.project_id.in_(projects)))
    db.session.execute(delete(Proposal).where(Proposal.jurisdiction_id.in_(places)))
    db.session.execute(delete(Project).where(Project.jurisdiction_id.in_(places)))
    db.session.execute(delete(User).where(User.username.in_(usernames)))
    db.session.execute(delete(ResponsibleUnit).where(ResponsibleUnit.jurisdiction_id.in_(places)))
    db.session.execute(delete(Deputy).where(Deputy.jurisdiction_id.in_(places)))
    db.session.execute(delete(Delegation).where(Delegation.jurisdiction_id.in_(places)))
    db.session.execute(delete(CongressSession).where(CongressSession.id.in_(sessions)))
    db.session.execute(delete(Term).where(Term.jurisdiction_id.in_(places)))
    db.session.execute(delete(Jurisdiction).where(Jurisdiction.parent_id.in_(places)))
    db.session.execute(delete(Jurisdiction).where(Jurisdiction.id.in_(places)))
    db.session.commit()
    return True
