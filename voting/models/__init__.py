"""The data model of the whole cycle: 群众提、代表决、政府办、人大评.

- `people`: jurisdictions, terms, congress sessions, delegations, deputies, attendance (签到).
- `projects`: responsible units, the project library, milestones, progress, photos, proposals.
- `ballots`: ballots, candidates, scrutineers, tokens, cast ballots, receipts, certifications.
- `accounts`: staff users.
- `audit`: the append-only, hash-chained log of back-office actions (审计日志).

Secrecy is a property of these tables: nothing here links a deputy, a token or a time to a cast
ballot (see `ballots`).
"""

from voting.models.accounts import ROLES, User
from voting.models.audit import AuditEntry
from voting.models.ballots import (
    Ballot,
    BallotCandidate,
    BallotScrutineer,
    CastBallot,
    Certification,
    Receipt,
    Token,
)
from voting.models.people import Attendance, CongressSession, Delegation, Deputy, Jurisdiction, Term
from voting.models.projects import (
    Milestone,
    Photo,
    ProgressUpdate,
    Project,
    Proposal,
    ResponsibleUnit,
    SupervisionNote,
)

__all__ = [
    "ROLES", "Attendance", "Ballot", "BallotCandidate", "BallotScrutineer", "CastBallot",
    "Certification", "CongressSession", "Delegation", "Deputy", "Jurisdiction", "Milestone",
    "Photo", "ProgressUpdate", "Project", "Proposal", "Receipt", "ResponsibleUnit",
    "SupervisionNote", "Term", "Token", "User",
    "AuditEntry",
]
