"""The web's forms, run on command-line values, and the lookups by name the commands share.

A clerk typing `--budget abc` at the command line gets the message the web form gives, with the
same parsing and limits, as one line naming the option: `--budget: 请输入数字（单位：万元）。`.
"""

import click
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict
from wtforms import BooleanField, FieldList, FormField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice

from voting.errors import InvalidRequest, NotFound
from voting.extensions import db
from voting.models import Jurisdiction, ResponsibleUnit, User
from voting.services.catalogue import find_jurisdiction

NO_CSRF = {"csrf": False}  # a command is not a browser: there is no page to forge
ROW_ID = click.IntRange(1, 2**31 - 1)  # an id the database can hold (as the web's <int:…>)


def checked(form_class: type[FlaskForm], typed: dict, *, current: dict | None = None,
            obj=None, choices: dict | None = None, options: dict | None = None) -> FlaskForm:
    """`form_class` filled as the web page would send it, validated.

    The page's prefill (the form's defaults, or `obj`'s values, then `current`: field → value)
    is overlaid with `typed` (field → value given on the command line; None: not given).
    `choices`: field → its choice list. `options`: field → option name, for the message
    (default `--field-name`). Raises InvalidRequest "--option: message" on the first error.
    """
    shown = form_class(formdata=None, obj=obj, meta=NO_CSRF)
    for name, value in typed.items():
        # A browser sends no line break in a one-line field; no field may hold a NUL byte.
        field = shown._fields.get(name)
        if isinstance(field, StringField) and not isinstance(field, TextAreaField):
            one_line(value)
        else:
            plain(value)
    values = {name: _shown(field) for name, field in shown._fields.items()
              if not isinstance(field, FieldList | FormField)}  # photos etc.: not from here
    values.update({name: _text(value) for name, value in (current or {}).items()})
    values.update({name: _text(value) for name, value in typed.items() if value is not None})
    form = form_class(formdata=MultiDict({k: v for k, v in values.items() if v is not None}),
                      meta=NO_CSRF)
    for name, listed in (choices or {}).items():
        form[name].choices = listed
    if not form.validate():
        name, messages = next(iter(form.errors.items()))
        option = (options or {}).get(name) or "--" + name.replace("_", "-")
        raise InvalidRequest(f"{option}: {messages[0]}", field=name)
    return form


def _shown(field) -> str | None:
    """What a browser sends for a field of the page as first shown."""
    if isinstance(field, BooleanField):
        return _text(field.data)
    if isinstance(field, SelectField) and field.data is None and field.choices:
        first = field.choices[0]  # a select with nothing chosen sends its first option
        return _text(first.value if isinstance(first, SelectChoice) else first[0])
    return field._value() if hasattr(field, "_value") else _text(field.data)


def _text(value) -> str | None:
    """A value as a browser would send it: True → "y", False or None → absent."""
    if value is None or value is False:
        return None
    if value is True:
        return "y"
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def plain(value):
    """`value`, unless it is text with a NUL byte (a file read from stdin may hold one; no
    column takes it, PostgreSQL's refuse it): then InvalidRequest."""
    if isinstance(value, str) and "\x00" in value:
        raise InvalidRequest(_("输入中含有不允许的字符。"))
    return value


def number(text: str) -> int | None:
    """A row number typed as ASCII digits (not ², not ４), small enough to be an id; else None."""
    text = text.strip()
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text) if 0 < int(text) < 2**62 else None


def one_line(value):
    """`value`, unless it is text with a control character (line breaks included): names,
    codes and titles have none, and a message quoting one must stay on one line."""
    if isinstance(value, str) and not value.isprintable():
        raise InvalidRequest(_("输入中含有不允许的字符。"))
    return value


# Lookups ------------------------------------------------------------------------------------------

def jurisdiction_named(text: str) -> Jurisdiction:
    """A jurisdiction by its name (青川县) or id."""
    text = one_line(text).strip()
    found = db.session.get(Jurisdiction, number(text)) if number(text) else None
    return found or find_jurisdiction(text)


def unit_named(jurisdiction: Jurisdiction, text: str) -> ResponsibleUnit | None:
    """A 承办单位 of `jurisdiction` by name or id; None for an empty text (未定)."""
    text = one_line(text).strip()
    if not text:
        return None
    query = db.select(ResponsibleUnit).filter_by(jurisdiction_id=jurisdiction.id)
    found = db.session.scalar(query.filter_by(name=text))
    if found is None and number(text):
        found = db.session.scalar(query.filter_by(id=number(text)))
    if found is None:
        raise InvalidRequest(_("找不到承办单位“%(name)s”。", name=text), field="unit")
    return found


def user_named(username: str, *roles: str) -> User:
    """An active staff account of one of `roles` (admin counts as clerk), by username."""
    user = db.session.scalar(db.select(User).filter_by(username=one_line(username).strip()))
    if user is None or not user.active:
        raise NotFound(_("找不到用户“%(name)s”。", name=username))
    if user.role not in roles and not (user.role == "admin" and "clerk" in roles):
        raise InvalidRequest(_("账号“%(name)s”的角色不能进行此操作。", name=username))
    return user


def get_row(model, row_id: int, message: str):
    """The row of `model` with that id, else NotFound(message)."""
    row = db.session.get(model, row_id) if 0 < row_id < 2**62 else None
    if row is None:
        raise NotFound(message)
    return row


def read_text(text: str | None, file) -> str | None:
    """An option's text, or the content of its `--…-file` (an open click.File; - is stdin)."""
    if file is not None:
        if text is not None:
            raise InvalidRequest(_("文字和文件只能二选一。"))
        return plain(file.read())
    return text
