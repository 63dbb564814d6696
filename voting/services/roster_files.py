"""Roster files: reading an uploaded .xlsx/.csv safely, checking every row, importing, exporting.

Columns: 姓名 (required), 代表团, 性别, 联系电话, 工作单位及职务 (or Name, Delegation, Gender,
Phone, Occupation), matched loosely. An upload is hostile until proven otherwise: size, zip
directory (uncompressed sizes and ratios, before openpyxl opens it), row count and encoding are
checked first, and each refusal is an `InvalidRequest` with a Chinese message. An import is all
or nothing: any row with an error refuses the whole file.
"""

import contextlib
import csv
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

from voting.errors import InvalidRequest
from voting.extensions import db
from voting.models import Delegation, Deputy, Jurisdiction
from voting.services.roster import find_or_create_delegation

MAX_ROWS = 5000  # a provincial congress has ~800 deputies; the NPC ~3,000
MAX_LINES = 4 * MAX_ROWS  # lines read at all, blank ones included (a sheet can claim a million)
MAX_UNCOMPRESSED = 50 * 1024 * 1024  # bytes inside an .xlsx, all parts together
MAX_RATIO = 100  # uncompressed ÷ compressed for one part; real sheets stay far below
RATIO_FROM = 1024 * 1024  # bytes: small parts may compress well without harm
MAX_PARTS = 2000
MAX_COLUMNS = 50
HEADER_SEARCH_ROWS = 10  # a title line or two may sit above the header

COLUMNS = ("name", "delegation", "gender", "phone", "occupation")
HEADERS = {  # the export writes the first one of each
    "name": ("姓名", "代表姓名", "名字", "name", "fullname", "deputy", "deputyname"),
    "delegation": ("代表团", "代表小组", "所属代表团", "代表团组", "团组", "delegation", "group"),
    "gender": ("性别", "gender", "sex"),
    "phone": ("联系电话", "电话", "手机", "手机号", "手机号码", "联系方式", "phone", "mobile",
              "tel", "telephone", "phonenumber"),
    "occupation": ("工作单位及职务", "工作单位和职务", "单位及职务", "工作单位", "职务",
                   "occupation", "job", "position", "employer", "workunitandposition"),
}
GENDERS = {"男": "男", "男性": "男", "m": "男", "male": "男",
           "女": "女", "女性": "女", "f": "女", "female": "女", "": ""}
MOBILE = re.compile(r"^(?:\+?86)?1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}(?:-\d{1,6})?$")
LIMITS = {"name": 40, "delegation": 80, "occupation": 120}


@dataclass
class RosterRow:
    """One line of the file as read, with what is wrong with it (nothing: importable)."""

    line: int  # the row number the clerk sees in Excel
    name: str = ""
    delegation: str = ""
    gender: str = ""
    phone: str = ""
    occupation: str = ""
    errors: list[str] = field(default_factory=list)


@dataclass
class RosterFile:
    rows: list[RosterRow]
    columns: list[str]  # which of COLUMNS the file has

    @property
    def error_count(self) -> int:
        return sum(1 for row in self.rows if row.errors)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not self.error_count


# Reading ------------------------------------------------------------------------------------------

def read_roster(data: bytes, filename: str, max_bytes: int) -> list[dict]:
    """Raw rows of an upload as dicts keyed by COLUMNS (+ "line"). Raises InvalidRequest."""
    if len(data) > max_bytes:
        raise InvalidRequest(_("文件太大：名册文件不能超过%(mb)s MB。",
                               mb=max_bytes // (1024 * 1024)))
    if not data:
        raise InvalidRequest(_("文件是空的。"))
    suffix = filename.lower().rsplit(".", 1)[-1] if "." in filename else ""
    if suffix == "xlsx":
        table = _xlsx_rows(data)
    elif suffix == "csv":
        table = _csv_rows(data)
    else:
        raise InvalidRequest(_("只能导入 .xlsx（Excel）或 .csv 文件。"))
    with contextlib.closing(table):
        return _rows_by_header(table)


def _xlsx_rows(data: bytes):
    _check_zip(data)
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "no default style" and the like: harmless here
            book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a malformed part: all mean the same here
        raise InvalidRequest(_("无法读取这个 Excel 文件，文件可能已损坏。")) from None
    try:
        sheet = book.worksheets[0] if book.worksheets else None
        if sheet is None:
            raise InvalidRequest(_("这个 Excel 文件里没有工作表。"))
        for line, values in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True),
                                      start=1):
            yield line, [_cell_text(v) for v in values]
    except InvalidRequest:
        raise
    except Exception:
        raise InvalidRequest(_("无法读取这个 Excel 文件，文件可能已损坏。")) from None
    finally:
        book.close()


def _check_zip(data: bytes) -> None:
    """Refuse what is not an .xlsx, or would inflate into too much, before openpyxl reads it.

    zipfile stops reading a part at its declared size (and fails the CRC if the data goes on),
    so the sizes in the central directory bound the memory openpyxl can use.
    """
    not_excel = _("这不是有效的 Excel（.xlsx）文件。")
    if not data.startswith(b"PK\x03\x04"):
        raise InvalidRequest(not_excel)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError):
        raise InvalidRequest(not_excel) from None
    names = {p.filename for p in parts}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise InvalidRequest(not_excel)
    bomb = _("文件解压后过大，可能是恶意构造的压缩文件，已拒绝。")
    if len(parts) > MAX_PARTS or sum(p.file_size for p in parts) > MAX_UNCOMPRESSED:
        raise InvalidRequest(bomb)
    for part in parts:
        if part.file_size > RATIO_FROM and part.file_size > MAX_RATIO * max(part.compress_size, 1):
            raise InvalidRequest(bomb)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a phone typed as a number: 13800138000.0 → 13800138000
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(data: bytes):
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise InvalidRequest(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))
    if "\x00" in text:
        raise InvalidRequest(_("文件中含有不允许的字符，请另存为 CSV 后再导入。"))
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    try:
        for line, values in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
            yield line, [v.strip() for v in values[:MAX_COLUMNS]]
    except csv.Error:
        raise InvalidRequest(_("CSV 文件格式有误，无法读取。")) from None


def _header_key(text: str) -> str:
    return re.sub(r"[\s*＊:：()（）\[\]【】_\-]", "", text).lower()


ALIASES = {_header_key(alias): column for column, names in HEADERS.items() for alias in names}


def _rows_by_header(table) -> list[dict]:
    header: dict[int, str] | None = None
    rows = []
    for line, values in table:
        if line > MAX_LINES:
            raise InvalidRequest(_("文件超过%(n)d行，请分批导入。", n=MAX_ROWS))
        if header is None:
            found = {i: ALIASES[_header_key(v)] for i, v in enumerate(values)
                     if _header_key(v) in ALIASES}
            if "name" in found.values():
                header = {}
                for index, column in found.items():
                    header.setdefault(column, index)  # the first column of a kind wins
                header = {index: column for column, index in header.items()}
            elif line >= HEADER_SEARCH_ROWS:
                break
            continue
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise InvalidRequest(_("文件超过%(n)d行，请分批导入。", n=MAX_ROWS))
        row = {"line": line, **{c: "" for c in COLUMNS}}
        for index, column in header.items():
            if index < len(values):
                row[column] = values[index]
        rows.append(row)
    if header is None:
        raise InvalidRequest(
            _("找不到“姓名”列：表头应为 姓名、代表团、性别、联系电话、工作单位及职务。"))
    if not rows:
        raise InvalidRequest(_("文件中没有代表数据。"))
    return rows


# Checking -----------------------------------------------------------------------------------------

def check_roster(jurisdiction: Jurisdiction, raw_rows: list[dict],
                 columns: list[str] | None = None) -> RosterFile:
    """Every row with its errors: empty or too long fields, bad gender or phone, a duplicate in
    the file, a deputy already on the roster (same name in the same delegation)."""
    existing = _existing_keys(jurisdiction)
    seen: dict[tuple[str, str], int] = {}
    rows = []
    for raw in raw_rows:
        row = RosterRow(line=raw["line"], **{c: raw[c].strip() for c in COLUMNS})
        _check_fields(row)
        key = (row.delegation, row.name)
        if row.name:
            if key in seen:
                row.errors.append(_("与第%(line)d行重复。", line=seen[key]))
            else:
                seen[key] = row.line
            if key in existing:
                row.errors.append(_("名册中已有这位代表。"))
        rows.append(row)
    present = columns or [c for c in COLUMNS if any(getattr(r, c) for r in rows)]
    return RosterFile(rows=rows, columns=present)


def _check_fields(row: RosterRow) -> None:
    if not row.name:
        row.errors.append(_("姓名不能为空。"))
    for column, limit in LIMITS.items():
        if len(getattr(row, column)) > limit:
            row.errors.append(_("%(what)s过长（最多%(n)d个字）。",
                                what=_column_label(column), n=limit))
    gender = GENDERS.get(row.gender.lower())
    if gender is None:
        row.errors.append(_("性别应为“男”或“女”。"))
    else:
        row.gender = gender
    if row.phone and not phone_ok(row.phone):
        row.errors.append(_("联系电话格式不正确。"))


def phone_ok(phone: str) -> bool:
    """A mobile (13800138000, +86 138 0013 8000, 138-0013-8000) or a landline (0839-7201234).

    Checked on a copy without spaces and brackets; the number is kept as the clerk wrote it.
    """
    compact = re.sub(r"[\s()（）]", "", phone)
    if len(phone) > 20:
        return False
    return bool(MOBILE.match(compact.replace("-", "")) or LANDLINE.match(compact))


def _column_label(column: str) -> str:
    return HEADERS[column][0]


def _existing_keys(jurisdiction: Jurisdiction) -> set[tuple[str, str]]:
    rows = db.session.execute(
        db.select(Delegation.name, Deputy.name).select_from(Deputy)
        .outerjoin(Deputy.delegation).filter(Deputy.jurisdiction_id == jurisdiction.id)
    ).all()
    return {(delegation or "", name) for delegation, name in rows}


def load_roster_file(jurisdiction: Jurisdiction, data: bytes, filename: str,
                     max_bytes: int) -> RosterFile:
    """Read and check an upload: what the preview shows, and what an import re-checks."""
    return check_roster(jurisdiction, read_roster(data, filename, max_bytes))


# Importing and exporting --------------------------------------------------------------------------

def import_roster(jurisdiction: Jurisdiction, roster: RosterFile) -> tuple[int, int]:
    """Add every row as a deputy, creating delegations by name. Refuses the whole file when any
    row has an error. Returns (deputies added, delegations created); the caller commits."""
    if not roster.ok:
        raise InvalidRequest(_("有%(n)d行存在错误，整个文件未导入。请修改后重新上传。",
                               n=roster.error_count))
    before = set(db.session.scalars(db.select(Delegation.id).filter_by(jurisdiction=jurisdiction)))
    for row in roster.rows:
        delegation = find_or_create_delegation(jurisdiction, row.delegation)
        db.session.add(Deputy(jurisdiction_id=jurisdiction.id, delegation=delegation, name=row.name,
                              gender=row.gender, phone=row.phone, occupation=row.occupation))
    db.session.flush()
    after = set(db.session.scalars(db.select(Delegation.id).filter_by(jurisdiction=jurisdiction)))
    return len(roster.rows), len(after - before)


def export_roster(jurisdiction: Jurisdiction) -> tuple[bytes, int]:
    """The active roster as .xlsx bytes (same columns as an import), and how many deputies."""
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = _("代表名册")
    sheet.append([HEADERS[c][0] for c in COLUMNS])
    deputies = list(db.session.scalars(
        db.select(Deputy).outerjoin(Deputy.delegation)
        .filter(Deputy.jurisdiction_id == jurisdiction.id, Deputy.active.is_(True))
        .order_by(Delegation.name, Deputy.name, Deputy.id)
    ))
    for deputy in deputies:
        values = [deputy.name, deputy.delegation.name if deputy.delegation else "", deputy.gender,
                  deputy.phone, deputy.occupation]
        sheet.append(values)
        for cell in sheet[sheet.max_row]:
            # Text stays text: no formula from a name like "=…", no 1.38E+10 for a phone number.
            cell.data_type = "s"
            cell.number_format = "@"
    for letter, width in zip("ABCDE", (12, 18, 6, 16, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), len(deputies)


# Keeping an upload between preview and confirm ----------------------------------------------------
# The file stays on the server under a random name (never a copy sent back by the browser); the
# clerk's signed session holds that name and the file's SHA-256, checked again on confirm.

STASH_NAME = re.compile(r"^[0-9a-f]{32}\.(xlsx|csv)$")
STASH_MAX_AGE = 24 * 3600  # seconds; older leftovers (an abandoned preview) are removed


def _stash_dir():
    from pathlib import Path

    from flask import current_app

    folder = Path(current_app.instance_path) / "uploads" / "imports"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    return folder


def stash_upload(data: bytes, filename: str) -> str:
    """Keep the upload under a random name (mode 0600); returns that name."""
    import secrets

    from voting.instance import write_private

    _purge_old_stashes()
    suffix = filename.lower().rsplit(".", 1)[-1]
    name = f"{secrets.token_hex(16)}.{suffix}"
    write_private(_stash_dir() / name, data)
    return name


def read_stash(name: str) -> bytes:
    if not STASH_NAME.match(name or ""):
        raise InvalidRequest(_("导入文件已失效，请重新上传。"))
    try:
        return (_stash_dir() / name).read_bytes()
    except FileNotFoundError:
        raise InvalidRequest(_("导入文件已失效，请重新上传。")) from None


def discard_stash(name: str) -> None:
    if STASH_NAME.match(name or ""):
        (_stash_dir() / name).unlink(missing_ok=True)


def _purge_old_stashes() -> None:
    import time

    limit = time.time() - STASH_MAX_AGE
    for path in _stash_dir().iterdir():
        if STASH_NAME.match(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
