"""The back office: clerks (人大工作人员), scrutineers (监票人) and responsible units (承办单位).

One blueprint per topic, all under /office; `blueprints` is what the app registers.
"""

from voting.office.audit import bp as audit
from voting.office.ballots import bp as ballots
from voting.office.desk import bp as desk
from voting.office.people import bp as people
from voting.office.projects import bp as projects
from voting.office.proposals import bp as proposals
from voting.office.results import bp as results
from voting.office.roster import bp as roster
from voting.office.routes import bp
from voting.office.sessions import bp as sessions
from voting.office.signin import bp as signin
from voting.office.tracking import bp as tracking

blueprints = [bp, sessions, people, roster, signin, projects, ballots, results, desk, proposals,
              tracking, audit]
