"""Fixtures for 群众提: a county with a town, the public form's data, proposals in each state."""

import re
from datetime import datetime

import pytest

from voting.extensions import db
from voting.models import Proposal
from voting.services import proposals


@pytest.fixture
def county(make):
    jurisdiction = make.jurisdiction(name="青川县")
    db.session.commit()
    return jurisdiction


@pytest.fixture
def town(make, county):
    jurisdiction = make.jurisdiction(name="河口镇", level="town", parent=county)
    db.session.commit()
    return jurisdiction


def form_data(where, **overrides) -> dict:
    """What a person fills in on the public form, sent to the jurisdiction `where`."""
    return {"jurisdiction": str(where.id), "category": "transport",
            "title": "建议增开河口镇到县城的早班车",
            "content": "河口镇到县城的第一班车是早上七点五十，在县城上班和看病的人都赶不上，"
                       "建议增开一班六点半左右的早班车。",
            "location": "河口镇河口社区", "background": "", "unit": "", "budget_wan": "",
            "funding_source": "", "contact": "敬先生 158-6620-3197", "website": "",
            **overrides}


@pytest.fixture
def add_proposal(county):
    """add_proposal(title=…, status=…, **fields) → a committed proposal (received by default)."""

    def add(jurisdiction=None, status="received", **fields):
        values = {"title": "建议增开河口镇到县城的早班车", "description": "早班车太晚。",
                  "category": "transport", "location": "河口镇", "contact": "敬先生 158-0000-0000",
                  "submitted_at": datetime(2026, 10, 1, 20, 15), **fields}
        proposal = Proposal(jurisdiction=jurisdiction or county,
                            tracking_code=proposals.tracking_code(), status=status, **values)
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return add


def count_proposals() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Proposal))


def code_on(page: str) -> str:
    """The tracking code as the thank-you page shows it (ABCD-EFGH)."""
    return re.search(r'class="proposal-code__value"[^>]*>([A-Z0-9-]+)<', page).group(1)


def text_of(response) -> str:
    return response.get_data(as_text=True)
