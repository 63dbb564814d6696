"""Importing a roster: upload → preview with per-row errors → confirm, all or nothing; hostile
files refused with a clear message and nothing imported."""

import io
import zipfile

import pytest

from tests.office.conftest import (
    GOOD_ROWS,
    count_deputies,
    csv_file,
    deputies_of,
    xlsx_file,
)
from voting.extensions import db

EXPECTED = sorted([
    ("刘建华", "城关镇代表团", "男", "13800138000", "城关镇东门社区党委书记"),
    ("何秀英", "河口镇代表团", "女", "139 0813 8001", "河口镇柳湾村党支部书记"),
    ("邓志远", "白水镇代表团", "男", "0839-7201234", "白水镇中心小学校长"),
    ("王丽", "城关镇代表团", "", "", ""),
])


def confirm(client, follow=True):
    with client.session_transaction() as session:
        upload = session["roster_import"]["upload"]
    return client.post("/office/roster/import/confirm", data={"upload": upload},
                       follow_redirects=follow)


def stashed_files(app):
    from pathlib import Path

    folder = Path(app.instance_path) / "uploads" / "imports"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_good_xlsx_is_previewed_then_imported_on_confirm(client, clerk, county, upload, app):
    response = upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS), follow=True)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "全部4行检查无误" in page and "确认导入4位代表" in page
    assert "刘建华" in page and "0839-7201234" in page
    assert count_deputies(county) == 0  # a preview imports nothing
    assert len(stashed_files(app)) == 1

    response = confirm(client)
    assert "已导入4位代表（新建代表团3个）" in response.get_data(as_text=True)
    assert deputies_of(county) == EXPECTED
    assert stashed_files(app) == []  # the kept upload is removed once used


def test_utf8_csv_with_bom_and_english_headers(client, clerk, county, upload):
    data = "\ufeff".encode() + csv_file(
        GOOD_ROWS, header=["Name", "Delegation", "Gender", "Phone", "Occupation"])
    upload(county, "roster.csv", data)
    confirm(client)
    assert deputies_of(county) == EXPECTED


def test_gbk_csv_from_excel_is_read(client, clerk, county, upload):
    upload(county, "名册.csv", csv_file(GOOD_ROWS, encoding="gbk"))
    response = confirm(client)
    assert "已导入4位代表" in response.get_data(as_text=True)
    assert deputies_of(county) == EXPECTED


def test_headers_are_matched_loosely_and_title_rows_skipped(client, clerk, county, upload):
    data = xlsx_file([(1, "赵六", 13800138000, "县直机关代表团")],
                     header=["序号", "代表姓名 *", "手机号码", "所属代表团"],
                     title_rows=[["青川县第十八届人民代表大会代表名册"], []])
    upload(county, "名册.xlsx", data)
    confirm(client)
    assert deputies_of(county) == [("赵六", "县直机关代表团", "", "13800138000", "")]


def test_bad_rows_are_shown_with_their_errors_and_nothing_can_be_imported(
        client, clerk, county, upload, add_deputy):
    add_deputy(county, "孙七", "城关镇代表团")
    rows = [
        ("李四", "城关镇代表团", "男", "13800138000", ""),
        ("", "城关镇代表团", "女", "", ""),                       # line 3: no name
        ("李四", "城关镇代表团", "男", "", ""),                   # line 4: duplicate of line 2
        ("孙七", "城关镇代表团", "男", "", ""),                   # line 5: already on the roster
        ("周八", "河口镇代表团", "未知", "", ""),                  # line 6: gender
        ("吴九", "河口镇代表团", "女", "12345", ""),              # line 7: phone
    ]
    response = upload(county, "名册.xlsx", xlsx_file(rows), follow=True)
    page = response.get_data(as_text=True)
    for message in ("姓名不能为空", "与第2行重复", "名册中已有这位代表", "性别应为“男”或“女”",
                    "联系电话格式不正确"):
        assert message in page
    assert "有5行存在错误" in page
    assert "确认导入" not in page  # no confirm button

    response = confirm(client, follow=False)
    assert response.status_code == 400
    assert "整个文件未导入" in response.get_data(as_text=True)
    assert count_deputies(county) == 1  # only 孙七, who was there before


def test_import_is_all_or_nothing_when_the_roster_changed_since_preview(
        client, clerk, county, upload, add_deputy):
    upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS))
    add_deputy(county, "王丽", "城关镇代表团")  # another clerk added her meanwhile
    response = confirm(client, follow=False)
    assert response.status_code == 400
    assert "名册中已有这位代表" in response.get_data(as_text=True)
    assert deputies_of(county) == [("王丽", "城关镇代表团", "", "", "")]


def test_a_failure_halfway_through_leaves_no_deputy_behind(client, clerk, county, upload,
                                                           monkeypatch):
    from voting.services import roster_files

    upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS))
    calls = []
    real = roster_files.find_or_create_delegation

    def flaky(jurisdiction, name):
        calls.append(name)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(jurisdiction, name)

    monkeypatch.setattr(roster_files, "find_or_create_delegation", flaky)
    client.application.config["PROPAGATE_EXCEPTIONS"] = False
    response = confirm(client, follow=False)
    assert response.status_code == 500
    db.session.rollback()
    assert count_deputies(county) == 0


def test_confirm_needs_the_upload_this_clerk_previewed(client, clerk, county, upload):
    upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS))
    response = client.post("/office/roster/import/confirm", data={"upload": "../../secret_key"},
                           follow_redirects=True)
    assert "这次导入已失效" in response.get_data(as_text=True)
    assert count_deputies(county) == 0


def test_a_file_changed_on_disk_after_preview_is_refused(client, clerk, county, upload, app):
    from pathlib import Path

    upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS))
    (kept,) = (Path(app.instance_path) / "uploads" / "imports").iterdir()
    kept.write_bytes(xlsx_file([("冒名", "", "", "", "")]))
    response = confirm(client)
    assert "导入文件已失效" in response.get_data(as_text=True)
    assert count_deputies(county) == 0


def test_cancel_forgets_the_upload(client, clerk, county, upload, app):
    upload(county, "名册.xlsx", xlsx_file(GOOD_ROWS))
    response = client.post("/office/roster/import/cancel", follow_redirects=True)
    assert "已取消导入" in response.get_data(as_text=True)
    assert stashed_files(app) == []
    assert count_deputies(county) == 0


# Hostile and broken files -------------------------------------------------------------------


def refused(response, message):
    page = response.get_data(as_text=True)
    assert response.status_code == 400, page
    assert message in page
    return page


def xlsx_like_zip(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_zip_bomb_is_refused_before_it_is_inflated(client, clerk, county, upload):
    bomb = xlsx_like_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                          "xl/worksheets/sheet1.xml": b"\0" * (60 * 1024 * 1024)})
    assert len(bomb) < 200 * 1024  # 60 MB inside, a small upload
    refused(upload(county, "名册.xlsx", bomb), "文件解压后过大")
    assert count_deputies() == 0


def test_a_part_compressed_too_well_is_refused(client, clerk, county, upload):
    bomb = xlsx_like_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                          "xl/sharedStrings.xml": b"A" * (8 * 1024 * 1024)})
    refused(upload(county, "名册.xlsx", bomb), "文件解压后过大")


@pytest.mark.parametrize("data", [
    b"this is a text file, not a workbook",
    xlsx_like_zip({"readme.txt": b"hello"}),
    b"PK\x03\x04" + b"\x00" * 200,
])
def test_not_a_spreadsheet_is_refused(client, clerk, county, upload, data):
    refused(upload(county, "名册.xlsx", data), "这不是有效的 Excel（.xlsx）文件")
    assert count_deputies() == 0


def test_a_broken_workbook_is_refused(client, clerk, county, upload):
    broken = xlsx_like_zip({"[Content_Types].xml": b"<Types", "xl/workbook.xml": b"<<<"})
    refused(upload(county, "名册.xlsx", broken), "无法读取这个 Excel 文件")


def test_oversized_file_is_refused(client, clerk, county, upload, app):
    limit = app.config["MAX_IMPORT_BYTES"]
    data = csv_file([]) + b"x" * limit
    refused(upload(county, "名册.csv", data), "文件太大")
    assert count_deputies() == 0


def test_more_than_5000_rows_is_refused(client, clerk, county, upload):
    rows = [(f"代表{i}", "", "", "", "") for i in range(5001)]
    refused(upload(county, "名册.csv", csv_file(rows)), "文件超过5000行")
    assert count_deputies() == 0


@pytest.mark.parametrize(("filename", "data", "message"), [
    ("名册.xls", b"\xd0\xcf\x11\xe0", "只能导入 .xlsx（Excel）或 .csv 文件"),
    ("名册.csv", b"", "文件是空的"),
    ("名册.csv", "编号,备注\n1,2\n".encode(), "找不到“姓名”列"),
    ("名册.csv", "姓名,代表团\n".encode(), "文件中没有代表数据"),
    ("名册.csv", b"\xff\xfe\x00\x00\x81\x30", "无法识别文件编码"),
    ("名册.csv", "姓名\n张\x00三\n".encode(), "不允许的字符"),
])
def test_other_unreadable_files_get_a_clear_message(client, clerk, county, upload, filename,
                                                    data, message):
    refused(upload(county, filename, data), message)


def test_no_file_chosen(client, clerk, county):
    response = client.post("/office/roster/import", data={"jurisdiction": str(county.id)},
                           content_type="multipart/form-data")
    refused(response, "请选择要上传的文件")


def test_a_sheet_of_a_million_blank_rows_is_refused_quickly(client, clerk, county, upload):

    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["姓名"])
    sheet.cell(row=1_000_000, column=1, value="最后一行")
    out = io.BytesIO()
    book.save(out)
    refused(upload(county, "名册.xlsx", out.getvalue()), "文件超过5000行")
