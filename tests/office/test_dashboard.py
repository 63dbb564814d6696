"""The dashboard: what each role needs today."""

from datetime import date, timedelta

from voting.extensions import db
from voting.models import BallotScrutineer


def test_clerk_sees_sessions_ballots_by_state_and_roster_counts(client, clerk, make, county,
                                                                add_deputy):
    today = date.today()
    sitting = make.session(county, title="青川县第十八届人民代表大会第四次会议",
                           starts_on=today, ends_on=today + timedelta(days=2))
    make.ballot(sitting, title="2027年度民生实事项目票决")
    opened = make.ballot(sitting, title="2026年度项目满意度测评", kind="evaluation", seats=None)
    opened.state = "open"
    for name in ("刘建华", "王丽", "李四"):
        add_deputy(county, name, "城关镇代表团")
    page = client.get("/office/").get_data(as_text=True)
    assert "青川县第十八届人民代表大会第四次会议" in page and "会期中" in page
    assert "实到 <strong data-present>0</strong> / 应到 <strong data-roster>3</strong>" in page
    assert f'href="/office/signin/{sitting.id}"' in page
    draft_at = page.index("2027年度民生实事项目票决")
    open_at = page.index("2026年度项目满意度测评")
    assert page.index(">草稿<") < draft_at < page.index(">投票中<") < open_at
    assert f'href="/office/people/?jurisdiction={county.id}">青川县</a>' in page
    assert '<td class="num">3</td><td class="num">1</td>' in page


def test_clerk_dashboard_on_an_empty_install_says_where_to_start(client, clerk):
    page = client.get("/office/").get_data(as_text=True)
    assert "还没有会议" in page and "还没有行政区" in page


def test_scrutineer_sees_the_ballots_they_supervise(client, auth, make, sitting):
    user = auth.login("scrutineer")
    ballot = make.ballot(sitting, title="2027年度民生实事项目票决")
    make.ballot(sitting, title="别人的票决")
    db.session.add(BallotScrutineer(ballot=ballot, user=user, chief=True))
    page = client.get("/office/").get_data(as_text=True)
    assert "您是监票人" in page and "2027年度民生实事项目票决" in page and "总监票人" in page
    assert "别人的票决" not in page
    assert "/office/sessions/" not in page  # no links to clerk pages


def test_unit_sees_its_own_projects(client, auth, make, county):
    unit = make.unit(county, name="县教育局")
    other = make.unit(county, name="县交通运输局")
    make.project(county, unit=unit, title="新建公办幼儿园2所", progress=40)
    make.project(county, unit=other, title="农村公路提档升级85公里")
    auth.login("unit", unit=unit)
    page = client.get("/office/").get_data(as_text=True)
    assert "县教育局" in page and "新建公办幼儿园2所" in page and 'value="40"' in page
    assert "农村公路提档升级85公里" not in page
