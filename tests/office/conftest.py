"""Fixtures for the back office: a county with a roster, a logged-in clerk, roster files."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from voting.extensions import db
from voting.models import Deputy
from voting.services.roster import find_or_create_delegation

HEADER = ["姓名", "代表团", "性别", "联系电话", "工作单位及职务"]


@pytest.fixture
def clerk(auth):
    return auth.login("clerk")


@pytest.fixture
def county(make):
    jurisdiction = make.jurisdiction(name="青川县")
    db.session.commit()
    return jurisdiction


@pytest.fixture
def add_deputy(app):
    """add_deputy(jurisdiction, name, delegation="", **fields) → a committed Deputy."""

    def add(jurisdiction, name, delegation="", **fields):
        group = find_or_create_delegation(jurisdiction, delegation)
        deputy = Deputy(jurisdiction_id=jurisdiction.id, delegation=group, name=name, **fields)
        db.session.add(deputy)
        db.session.commit()
        return deputy

    return add


@pytest.fixture
def sitting(make, county):
    """第十八届人大第四次会议 of the county, committed."""
    session = make.session(county, number=4, starts_on=date(2027, 1, 10),
                           ends_on=date(2027, 1, 13))
    db.session.commit()
    return session


def deputies_of(jurisdiction) -> list[tuple[str, str, str, str, str]]:
    """(name, delegation, gender, phone, occupation) of every deputy, sorted."""
    rows = db.session.scalars(db.select(Deputy).filter_by(jurisdiction_id=jurisdiction.id))
    return sorted((d.name, d.delegation.name if d.delegation else "", d.gender, d.phone,
                   d.occupation) for d in rows)


def count_deputies(jurisdiction=None) -> int:
    query = db.select(db.func.count()).select_from(Deputy)
    if jurisdiction is not None:
        query = query.filter_by(jurisdiction_id=jurisdiction.id)
    return db.session.scalar(query)


def xlsx_file(rows, header=HEADER, title_rows=()) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for line in title_rows:
        sheet.append(line)
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_file(rows, header=HEADER, encoding="utf-8") -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


GOOD_ROWS = [
    ("刘建华", "城关镇代表团", "男", "13800138000", "城关镇东门社区党委书记"),
    ("何秀英", "河口镇代表团", "女", "139 0813 8001", "河口镇柳湾村党支部书记"),
    ("邓志远", "白水镇代表团", "男", "0839-7201234", "白水镇中心小学校长"),
    ("王丽", "城关镇代表团", "", "", ""),
]


def multipart(fields: dict[str, str], files: dict[str, tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart/form-data body built in memory.

    Werkzeug's test client spools bodies over 500 KB to a temporary file it never closes, which
    pytest (warnings as errors) reports; a body of bytes avoids that.
    """
    boundary = "----office-test-boundary-7MA4YWxkTrZu0gW"
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, (filename, data) in files.items():
        head = (f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                f'filename="{filename}"\r\nContent-Type: application/octet-stream\r\n\r\n')
        parts.append(head.encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


@pytest.fixture
def upload(client):
    """upload(jurisdiction, filename, data) posts a roster file to the import page."""

    def post(jurisdiction, filename, data, follow=False):
        body, content_type = multipart({"jurisdiction": str(jurisdiction.id)},
                                       {"file": (filename, data)})
        return client.post("/office/roster/import", data=body, content_type=content_type,
                           follow_redirects=follow)

    return post
