"""On PostgreSQL the heap keeps rows in the order they were written and stamps each with its
transaction (xmin). Closing a ballot rewrites its rows in random-key order in the closing
transaction (`ballots.forget_cast_order`): afterwards neither the physical order nor xmin says
who cast when (docs/secrecy.md)."""

from itertools import combinations

from voting.extensions import db

BALLOTS = 200  # |tau| of a random order: sd ≈ 0.048 here, so 0.2 is over 4 sd
CANDIDATES = 8  # a ballot's cast index in binary: bit i set → "against" candidate i
TITLES = tuple(f"民生实事项目{i}" for i in range(CANDIDATES))


def letters(index: int) -> str:
    return "".join("A" if index >> bit & 1 else "." for bit in range(CANDIDATES))


def index_of(choices: dict, ids: list[str]) -> int:
    return sum(1 << bit for bit, cid in enumerate(ids) if choices[cid] == "against")


def kendall_tau(sequence: list[int]) -> float:
    """Kendall's tau between positions and values (no ties)."""
    pairs = list(combinations(sequence, 2))
    concordant = sum(1 for a, b in pairs if a < b)
    return (2 * concordant - len(pairs)) / len(pairs)


def physical(table: str, column: str, ballot_id: int) -> list:
    return db.session.execute(db.text(
        f"SELECT {column} FROM {table} WHERE ballot_id = :b ORDER BY ctid"),  # noqa: S608
        {"b": ballot_id}).scalars().all()


def cast_order(ballot_id: int, ids: list[str]) -> list[int]:
    import json

    return [index_of(json.loads(c), ids) for c in physical("cast_ballot", "choices", ballot_id)]


def xmins(table: str, ballot_id: int) -> set[str]:
    return set(physical(table, "xmin::text", ballot_id))


def test_closing_forgets_the_order_of_casting(vote_day):
    day = vote_day(seats=2, titles=TITLES, mint=BALLOTS, void=0, roster=BALLOTS,
                   present=BALLOTS)
    ballot_id = day.ballot.id
    day.vote(*(letters(i) for i in range(BALLOTS)))
    receipts = [r.replace("-", "") for r in day.receipts]
    db.session.commit()

    # While open, the heap does follow the cast order: the check below can see it.
    assert cast_order(ballot_id, day.ids) == list(range(BALLOTS))
    assert len(xmins("cast_ballot", ballot_id)) == BALLOTS
    assert physical("receipt", "code", ballot_id) == receipts

    day.close()

    order = cast_order(ballot_id, day.ids)
    assert sorted(order) == list(range(BALLOTS))  # every ballot is still there, once
    assert abs(kendall_tau(order)) < 0.2, order
    rank = {code: n for n, code in enumerate(receipts)}
    stored_receipts = physical("receipt", "code", ballot_id)
    assert sorted(stored_receipts) == sorted(receipts)
    assert abs(kendall_tau([rank[c] for c in stored_receipts])) < 0.2

    # One transaction wrote every row of the closed ballot: the closing one.
    closing = db.session.execute(db.text("SELECT xmin::text FROM ballot WHERE id = :b"),
                                 {"b": ballot_id}).scalar_one()
    for table in ("cast_ballot", "receipt", "token"):
        assert xmins(table, ballot_id) == {closing}, table
    assert physical("token", "state", ballot_id) == ["spent"] * BALLOTS
