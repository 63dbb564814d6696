"""The contract: every clerk action the web back office offers exists in the `voting` CLI too.

A new POST page for clerks (or scrutineers) without its command fails here: add the command,
or name the one that does the same, below.
"""

from voting.cli import main

COMMAND_OF = {
    "office_sessions.create_jurisdiction": "jurisdiction add",
    "office_sessions.edit_jurisdiction": "jurisdiction edit",
    "office_sessions.create": "session add",
    "office_sessions.edit": "session edit",
    "office_sessions.delete": "session delete",
    "office_people.create_deputy": "deputy add",
    "office_people.edit_deputy": "deputy edit",
    "office_people.delete_deputy": "deputy delete",
    "office_people.delegations": "delegation add",
    "office_people.edit_delegation": "delegation rename",
    "office_people.delete_delegation": "delegation delete",
    "office_roster.upload": "roster import",  # the preview: --dry-run
    "office_roster.confirm": "roster import",
    "office_roster.cancel": "roster import",  # the command checks and imports in one go
    "office_signin.sign_in": "roster signin",
    "office_signin.undo": "roster signin",  # --undo
    "office_projects.create": "project add",
    "office_projects.edit": "project edit",
    "office_projects.delete": "project delete",
    "office_projects.create_unit": "unit add",
    "office_projects.edit_unit": "unit edit",
    "office_projects.delete_unit": "unit delete",
    "office_ballots.create": "ballot new",
    "office_ballots.edit": "ballot edit",
    "office_ballots.candidates": "ballot candidates",
    "office_ballots.scrutineers": "ballot scrutineers",
    "office_ballots.delete": "ballot delete",
    "office_desk.mint": "ballot tokens",
    "office_desk.void": "ballot void",
    "office_desk.open_vote": "ballot open",
    "office_desk.close_vote": "ballot close",
    "office_results.certify": "ballot certify",
    "office_results.publish": "ballot publish",
    "office_results.runoff": "ballot runoff",
    "office_proposals.accept": "proposal accept",
    "office_proposals.merge": "proposal merge",
    "office_proposals.decline": "proposal decline",
    "office_tracking.add_note": "project note",
    "office_tracking.rectified": "project rectified",
}


def command_named(path: str):
    command = main
    for name in path.split():
        command = command.commands.get(name) if hasattr(command, "commands") else None
        if command is None:
            return None
    return command


def test_every_clerk_post_page_has_its_command(app):
    staff_posts = {
        rule.endpoint for rule in app.url_map.iter_rules() if "POST" in rule.methods
        and {"clerk", "scrutineer"} & set(getattr(app.view_functions[rule.endpoint],
                                                  "allowed_roles", ()))}
    assert "office_proposals.accept" in staff_posts  # the check sees the office's pages
    assert sorted(staff_posts - set(COMMAND_OF)) == []
    assert [path for path in COMMAND_OF.values() if command_named(path) is None] == []
