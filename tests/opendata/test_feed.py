"""GET /projects/updates.atom: a valid Atom 1.0 feed of the public projects' latest reports."""

from datetime import datetime
from xml.etree import ElementTree as ET  # noqa: N817

import pytest

from voting.extensions import db
from voting.models import ProgressUpdate

A = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def reports(make):
    """Two counties' projects with reports; a library entry whose report must stay out."""
    county = make.jurisdiction(name="青川县")
    town = make.jurisdiction(name="青川县河口镇", level="town", parent=county)
    school = make.project(county, title="县城第三小学扩建工程", status="in_progress",
                          unit=make.unit(county, name="县教育局"))
    sewage = make.project(county, title="农村生活污水处理设施建设", status="completed", year=2025,
                          unit=make.unit(county, name="县生态环境局"), rectification=True)
    bridge = make.project(town, title="渡口村便民桥维修加固", status="selected",
                          unit=make.unit(town, name="河口镇村镇建设服务中心"))
    secret = make.project(county, title="尚在论证的项目", status="library")
    rows = [
        (school, datetime(2026, 6, 1, 9, 30), "progress", 46, "主体施工至第四层。"),
        (school, datetime(2026, 10, 29, 17, 26), "progress", 78, "外墙涂料和室外管网基本完成。"),
        (sewage, datetime(2026, 7, 16, 10, 10), "rectification", 100,
         "5座站点完成设备维修\x01和工艺调整，<b>全部</b>正常运行 & 达标。"),
        (bridge, datetime(2026, 9, 2, 8, 0), "progress", 30, "桥墩基础加固完成。"),
        (secret, datetime(2026, 11, 1, 8, 0), "progress", 10, "内部论证意见。"),
    ]
    for project, posted, kind, percent, text in rows:
        db.session.add(ProgressUpdate(project=project, posted_at=posted, kind=kind,
                                      percent=percent, narrative=text))
    db.session.commit()
    return {"county": county, "town": town, "school": school, "sewage": sewage,
            "bridge": bridge, "secret": secret}


def feed_of(client, query=""):
    response = client.get(f"/projects/updates.atom{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/atom+xml"
    root = ET.fromstring(response.get_data())  # noqa: S314 (our own feed, under test)
    assert root.tag == f"{A}feed"
    return response, root


def stamp(text: str) -> datetime:
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None  # RFC 3339 needs the offset
    return moment


def test_a_valid_atom_feed(client, reports):
    response, feed = feed_of(client)
    assert feed.findtext(f"{A}id").startswith("http://localhost/projects/updates.atom")
    assert feed.findtext(f"{A}title") == "民生实事项目进展"
    assert stamp(feed.findtext(f"{A}updated")) == stamp("2026-10-29T17:26:00+08:00")
    assert feed.find(f"{A}link[@rel='self']").get("href").startswith("http://")
    entries = feed.findall(f"{A}entry")
    assert len(entries) == 4
    ids = [e.findtext(f"{A}id") for e in entries]
    assert len(set(ids)) == 4 and all(i.startswith("http://localhost/projects/") for i in ids)
    for entry in entries:  # what RFC 4287 requires of an entry
        assert entry.findtext(f"{A}title") and entry.findtext(f"{A}author/{A}name")
        stamp(entry.findtext(f"{A}updated"))
        link = entry.find(f"{A}link[@rel='alternate']").get("href")
        assert link.startswith("http://localhost/projects/") and link.split("/")[-1].isdigit()
        assert entry.find(f"{A}summary").get("type") == "text"
    times = [stamp(e.findtext(f"{A}updated")) for e in entries]
    assert times == sorted(times, reverse=True)
    assert "max-age" in response.headers["Cache-Control"]


def test_entries_speak_for_the_unit_and_link_the_project(client, reports):
    _response, feed = feed_of(client)
    first = feed.findall(f"{A}entry")[0]
    school = reports["school"]
    assert first.findtext(f"{A}title") == "县城第三小学扩建工程：进度78%"
    assert first.findtext(f"{A}author/{A}name") == "县教育局"
    assert first.find(f"{A}link").get("href") == f"http://localhost/projects/{school.id}"
    assert first.findtext(f"{A}summary") == "外墙涂料和室外管网基本完成。"


def test_rectification_reports_are_marked(client, reports):
    _response, feed = feed_of(client, f"?project={reports['sewage'].id}")
    (entry,) = feed.findall(f"{A}entry")
    assert entry.findtext(f"{A}title") == "农村生活污水处理设施建设：整改情况"
    assert entry.find(f"{A}category").get("term") == "rectification"
    # Markup stays text, and a control character XML cannot carry is dropped.
    assert entry.findtext(f"{A}summary") == \
        "5座站点完成设备维修和工艺调整，<b>全部</b>正常运行 & 达标。"
    assert feed.findtext(f"{A}title") == "农村生活污水处理设施建设：项目进展"


def test_library_entries_never_appear(client, reports):
    body = client.get("/projects/updates.atom").get_data(as_text=True)
    assert "内部论证意见" not in body and "尚在论证的项目" not in body
    secret = client.get(f"/projects/updates.atom?project={reports['secret'].id}")
    assert secret.status_code == 404


def test_one_jurisdiction(client, reports):
    town = reports["town"]
    for value in (town.name, str(town.id)):
        _response, feed = feed_of(client, f"?jurisdiction={value}")
        titles = [e.findtext(f"{A}title") for e in feed.findall(f"{A}entry")]
        assert titles == ["渡口村便民桥维修加固：进度30%"]
        assert feed.findtext(f"{A}title") == "青川县河口镇民生实事项目进展"
        assert feed.findtext(f"{A}id").endswith(f"?jurisdiction={town.id}")  # one id, any spelling


@pytest.mark.parametrize(("query", "status"), [
    ("?project=abc", 400), ("?project=99999999999999999999", 400), ("?project=424242", 404),
    ("?jurisdiction=不存在的县", 400), ("?jurisdiction=<script>", 400),
])
def test_bad_filters(client, query, status):
    assert client.get(f"/projects/updates.atom{query}").status_code == status


def test_an_empty_feed_is_still_valid(client):
    _response, feed = feed_of(client)
    assert feed.findall(f"{A}entry") == [] and stamp(feed.findtext(f"{A}updated"))
