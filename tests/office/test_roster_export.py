"""Exporting the roster to Excel, and reading the export back in."""

import io

import openpyxl

from tests.office.conftest import GOOD_ROWS, deputies_of, xlsx_file


def test_export_then_import_into_another_jurisdiction_gives_the_same_deputies(
        client, clerk, county, make, upload):
    upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS))
    with client.session_transaction() as session:
        pending = session["roster_import"]["upload"]
    client.post("/office/roster/import/confirm", data={"upload": pending})

    response = client.get(f"/office/roster/export?jurisdiction={county.id}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("姓名", "代表团", "性别", "联系电话", "工作单位及职务")
    assert len(rows) == 1 + len(GOOD_ROWS)

    town = make.jurisdiction(name="城关镇", level="town")
    from voting.extensions import db

    db.session.commit()
    upload(town, "导出.xlsx", response.data)
    with client.session_transaction() as session:
        pending = session["roster_import"]["upload"]
    client.post("/office/roster/import/confirm", data={"upload": pending})
    assert deputies_of(town) == deputies_of(county)
    assert len(deputies_of(town)) == len(GOOD_ROWS)


def test_export_keeps_text_as_text(client, clerk, county, add_deputy):
    add_deputy(county, "=1+1", "城关镇代表团", phone="13800138000")
    response = client.get(f"/office/roster/export?jurisdiction={county.id}")
    sheet = openpyxl.load_workbook(io.BytesIO(response.data)).active
    name, _delegation, _gender, phone, _job = next(sheet.iter_rows(min_row=2, values_only=True))
    assert name == "=1+1"  # a string, not a formula Excel would run
    assert sheet["A2"].data_type == "s"
    assert phone == "13800138000"


def test_export_leaves_out_deputies_no_longer_on_the_roster(client, clerk, county, add_deputy):
    add_deputy(county, "在册", "甲代表团")
    add_deputy(county, "离任", "甲代表团", active=False)
    response = client.get(f"/office/roster/export?jurisdiction={county.id}")
    names = [r[0] for r in openpyxl.load_workbook(io.BytesIO(response.data)).active
             .iter_rows(min_row=2, values_only=True)]
    assert names == ["在册"]
