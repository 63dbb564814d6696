"""Deputies and delegations by hand."""

from voting.extensions import db
from voting.models import Delegation, Deputy


def deputy_form(jurisdiction, **overrides):
    return {"jurisdiction": str(jurisdiction.id), "delegation": "城关镇代表团", "name": "刘建华",
            "gender": "男", "phone": "13800138000", "occupation": "东门社区党委书记",
            "active": "y", **overrides}


def test_add_a_deputy_creates_the_delegation_by_name(client, clerk, county):
    response = client.post("/office/people/deputies/new", data=deputy_form(county),
                           follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "已保存代表“刘建华”" in page and "在册1人" in page
    deputy = db.session.scalar(db.select(Deputy))
    assert deputy.delegation.name == "城关镇代表团" and deputy.jurisdiction_id == county.id


def test_the_same_name_twice_in_one_delegation_is_a_duplicate(client, clerk, county, add_deputy):
    add_deputy(county, "刘建华", "城关镇代表团")
    response = client.post("/office/people/deputies/new", data=deputy_form(county))
    assert response.status_code == 400
    assert "城关镇代表团已有代表“刘建华”" in response.get_data(as_text=True)
    # Another delegation may have a deputy of the same name.
    client.post("/office/people/deputies/new", data=deputy_form(county, delegation="河口镇代表团"))
    assert db.session.scalar(db.select(db.func.count()).select_from(Deputy)) == 2


def test_deputy_validation(client, clerk, county):
    response = client.post("/office/people/deputies/new",
                           data=deputy_form(county, name=" ", phone="12345", gender="X"))
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "请填写姓名" in page and "联系电话格式不正确" in page and "请从列表中选择" in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Deputy)) == 0


def test_edit_and_deactivate_a_deputy(client, clerk, county, add_deputy):
    deputy = add_deputy(county, "王丽", "城关镇代表团")
    form = deputy_form(county, name="王丽", delegation="河口镇代表团", gender="女", phone="")
    del form["active"]  # unticked: no longer on the roster
    client.post(f"/office/people/deputies/{deputy.id}/edit", data=form)
    db.session.refresh(deputy)
    assert deputy.delegation.name == "河口镇代表团" and deputy.active is False
    page = client.get(f"/office/people/?jurisdiction={county.id}").get_data(as_text=True)
    assert "<td>王丽" not in page  # the list shows the roster…
    page = client.get(f"/office/people/?jurisdiction={county.id}&inactive=1").get_data(
        as_text=True)
    assert "<td>王丽" in page and "不在册" in page  # …or everyone, on request


def test_search_the_roster(client, clerk, county, add_deputy):
    add_deputy(county, "刘建华", "城关镇代表团", occupation="东门社区党委书记")
    add_deputy(county, "何秀英", "河口镇代表团", occupation="柳湾村主任")
    page = client.get(f"/office/people/?jurisdiction={county.id}&q=柳湾").get_data(as_text=True)
    assert "何秀英" in page and "刘建华" not in page
    page = client.get(f"/office/people/?jurisdiction={county.id}&q=%25").get_data(as_text=True)
    assert "没有符合条件的代表" in page  # % is a character, not a wildcard


def test_a_deputy_who_signed_in_is_not_deleted(client, clerk, sitting, add_deputy):
    deputy = add_deputy(sitting.jurisdiction, "刘建华", "城关镇代表团")
    client.post(f"/office/signin/{sitting.id}/deputies/{deputy.id}")
    response = client.post(f"/office/people/deputies/{deputy.id}/delete", follow_redirects=True)
    assert "已有签到记录，不能删除" in response.get_data(as_text=True)
    assert db.session.get(Deputy, deputy.id) is not None


def test_delete_a_deputy(client, clerk, county, add_deputy):
    deputy_id = add_deputy(county, "刘建华").id
    client.post(f"/office/people/deputies/{deputy_id}/delete")
    assert db.session.get(Deputy, deputy_id) is None


def test_delegations_add_rename_and_delete_when_empty(client, clerk, county, add_deputy):
    url = f"/office/people/delegations?jurisdiction={county.id}"
    client.post(url, data={"name": "县直机关代表团"})
    response = client.post(url, data={"name": "县直机关代表团"})
    assert "已有名为“县直机关代表团”的代表团" in response.get_data(as_text=True)
    group = db.session.scalar(db.select(Delegation).filter_by(name="县直机关代表团"))
    client.post(f"/office/people/delegations/{group.id}/edit", data={"name": "县直代表团"})
    db.session.refresh(group)
    assert group.name == "县直代表团"

    add_deputy(county, "刘建华", "县直代表团")
    response = client.post(f"/office/people/delegations/{group.id}/delete", follow_redirects=True)
    assert "代表团中还有代表，不能删除" in response.get_data(as_text=True)
    empty = db.session.scalar(db.select(Delegation).filter_by(name="县直代表团"))
    assert empty is not None


def test_people_page_without_any_jurisdiction_says_what_to_do(client, clerk):
    page = client.get("/office/people/").get_data(as_text=True)
    assert "还没有行政区" in page
