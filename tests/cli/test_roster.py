"""`voting roster`: import, export, sign-in and attendance from the command line."""

import json

import openpyxl
import pytest
from click.testing import CliRunner

from tests.office.conftest import GOOD_ROWS, csv_file, deputies_of, xlsx_file
from voting.extensions import db
from voting.models import Deputy


@pytest.fixture
def county(make):
    jurisdiction = make.jurisdiction(name="青川县")
    db.session.commit()
    return jurisdiction


@pytest.fixture
def cli(instance):
    """Like `runner`, but keeps stderr apart so a refusal's one line can be read."""
    from voting.cli import main

    def invoke(args, input=None):
        result = CliRunner().invoke(main, args, input=input, catch_exceptions=False)
        db.session.expire_all()
        return result

    return invoke


def test_import_an_xlsx(cli, county, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(xlsx_file(GOOD_ROWS))
    result = cli(["roster", "import", str(path), "--jurisdiction", "青川县"])
    assert result.exit_code == 0, result.output
    assert "imported 4 deputies into 青川县 (3 new delegations)" in result.output
    assert len(deputies_of(county)) == 4


def test_dry_run_checks_and_imports_nothing(cli, county, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_file(GOOD_ROWS, encoding="gbk"))
    result = cli(["roster", "import", str(path), "--jurisdiction", "青川县", "--dry-run"])
    assert result.exit_code == 0
    assert "4 rows OK; nothing imported" in result.output
    assert deputies_of(county) == []


def test_bad_rows_are_listed_and_nothing_is_imported(cli, county, tmp_path):
    path = tmp_path / "名册.csv"
    path.write_bytes(csv_file([*GOOD_ROWS, ("", "城关镇代表团", "男", "", ""),
                               ("王丽", "城关镇代表团", "女", "", "")]))
    result = cli(["roster", "import", str(path), "--jurisdiction", "青川县"])
    assert result.exit_code == 1
    assert "line 6 -: 姓名不能为空。" in result.stderr
    assert "line 7 王丽: 与第5行重复。" in result.stderr
    assert "2 of 6 rows have errors; nothing imported" in result.stderr
    assert deputies_of(county) == []


def test_unknown_jurisdiction_and_hostile_file(cli, county, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(b"not a zip at all")
    result = cli(["roster", "import", str(path), "--jurisdiction", "不存在县"])
    assert result.exit_code == 1 and "找不到行政区“不存在县”" in result.stderr
    result = cli(["roster", "import", str(path), "--jurisdiction", "青川县"])
    assert result.exit_code == 1 and "这不是有效的 Excel（.xlsx）文件" in result.stderr


def test_export_round_trip(cli, county, make, tmp_path):
    source = tmp_path / "in.xlsx"
    source.write_bytes(xlsx_file(GOOD_ROWS))
    cli(["roster", "import", str(source), "--jurisdiction", "青川县"])
    out = tmp_path / "out.xlsx"
    result = cli(["roster", "export", str(out), "--jurisdiction", "青川县"])
    assert result.exit_code == 0 and "exported 4 deputies" in result.output
    header = next(openpyxl.load_workbook(out).active.iter_rows(values_only=True))
    assert header == ("姓名", "代表团", "性别", "联系电话", "工作单位及职务")

    town = make.jurisdiction(name="城关镇", level="town")
    db.session.commit()
    cli(["roster", "import", str(out), "--jurisdiction", "城关镇"])
    assert deputies_of(town) == deputies_of(county)


@pytest.fixture
def sitting(make, county):
    session = make.session(county)
    for name, group in [("刘建华", "城关镇代表团"), ("王丽", "城关镇代表团"),
                        ("王丽", "河口镇代表团"), ("何秀英", "河口镇代表团")]:
        from voting.services.roster import find_or_create_delegation

        db.session.add(Deputy(jurisdiction_id=county.id, name=name,
                              delegation=find_or_create_delegation(county, group)))
    db.session.commit()
    return session


def attendance(cli, session):
    result = cli(["roster", "attendance", str(session.id), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_signin_and_attendance(cli, sitting):
    assert attendance(cli, sitting) == {"session_id": sitting.id, "present": 0, "roster": 4,
                                        "quorum": False, "needed": 3}
    result = cli(["roster", "signin", str(sitting.id), "刘建华"])
    assert result.exit_code == 0
    assert "刘建华: signed in (present 1 / roster 4, no quorum (needs 3))" in result.output
    assert "already signed in" in cli(["roster", "signin", str(sitting.id), "刘建华"]).output

    # Two deputies named 王丽: the delegation decides.
    result = cli(["roster", "signin", str(sitting.id), "王丽"])
    assert result.exit_code == 1 and "请指定代表团" in result.stderr
    cli(["roster", "signin", str(sitting.id), "王丽", "--delegation", "河口镇代表团"])
    cli(["roster", "signin", str(sitting.id), "何秀英"])
    assert attendance(cli, sitting)["quorum"] is True  # 3 of 4 > 2/3

    cli(["roster", "signin", str(sitting.id), "何秀英", "--undo"])
    assert attendance(cli, sitting)["present"] == 2
    text = cli(["roster", "attendance", str(sitting.id)]).output
    assert "present 2 / roster 4, no quorum (needs 3)" in text


def test_signin_errors(cli, sitting):
    result = cli(["roster", "signin", str(sitting.id), "查无此人"])
    assert result.exit_code == 1 and "名册中找不到代表“查无此人”" in result.stderr
    result = cli(["roster", "attendance", "9999"])
    assert result.exit_code == 1 and "no congress session 9999" in result.stderr
