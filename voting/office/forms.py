"""Back-office forms (Flask-WTF, CSRF on). Every message a clerk can see is Chinese.

WTForms' own parse errors ("Not a valid integer value.") are English, so the fields used here
re-raise them in Chinese. Rules that need the database (duplicates, seats vs candidates) live in
the services, which name the field at fault; `attach_error` puts their message on that field.
"""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from voting.errors import VotingError
from voting.office import labels
from voting.services.roster_files import phone_ok


def strip(value):
    return value.strip() if isinstance(value, str) else value


def required(what):
    """For text: empty or only spaces is missing."""
    return DataRequired(message=_l("请填写%(what)s。", what=what))


def given(what):
    """For numbers and dates: missing only when empty, so that "x" gets its own message."""
    return InputRequired(message=_l("请填写%(what)s。", what=what))


def at_most(n: int):
    return Length(max=n, message=_l("不能超过%(n)d个字。", n=n))


def between(low: int, high: int):
    return NumberRange(min=low, max=high, message=_l("应在%(low)d到%(high)d之间。", low=low,
                                                     high=high))


class LocalisedErrors:
    """WTForms' own parse and choice errors are English: answer in the user's language."""

    parse_message = _l("输入无效。")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_message) from None

    def pre_validate(self, form):
        try:
            super().pre_validate(form)
        except ValidationError:
            raise ValidationError(self.parse_message) from None


class Integer(LocalisedErrors, IntegerField):
    parse_message = _l("请输入整数。")


class Amount(LocalisedErrors, DecimalField):
    """万元, two decimals; NaN and Infinity are not amounts."""

    parse_message = _l("请输入数字（单位：万元）。")

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.parse_message)


class Day(LocalisedErrors, DateField):
    parse_message = _l("日期格式不正确，应为“年-月-日”，如 2027-03-01。")


class Choice(LocalisedErrors, SelectField):
    parse_message = _l("请从列表中选择。")


class Checkboxes(LocalisedErrors, SelectMultipleField):
    parse_message = _l("请从列表中选择。")
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def attach_error(form: FlaskForm, error: VotingError) -> None:
    """Show a service's refusal on the field it names, or on the whole form."""
    name = error.details.get("field")
    target = form._fields.get(name) if name else None
    if target is not None:
        target.errors = [*target.errors, error.message]
    else:
        form.form_errors.append(error.message)


def project_year() -> int:
    """Projects are collected in the autumn for the next year's vote."""
    today = datetime.now()
    return today.year + 1 if today.month >= 9 else today.year


# People ------------------------------------------------------------------------------------------

class JurisdictionForm(FlaskForm):
    name = StringField(_l("名称"), filters=[strip], validators=[required(_l("名称")), at_most(80)])
    level = Choice(_l("层级"), choices=labels.choices(labels.LEVEL))
    parent = Choice(_l("上级行政区"), coerce=int)


class SessionForm(FlaskForm):
    jurisdiction = Choice(_l("行政区"), coerce=int)
    term_number = Integer(_l("届次（第几届）"), validators=[given(_l("届次")), between(1, 99)])
    start_year = Integer(_l("本届起始年份"), validators=[given(_l("起始年份")),
                                                   between(1949, 2200)])
    end_year = Integer(_l("本届结束年份"), validators=[given(_l("结束年份")),
                                                 between(1949, 2200)])
    number = Integer(_l("会次（第几次会议）"), validators=[given(_l("会次")), between(1, 99)])
    title = StringField(_l("会议名称"), filters=[strip], validators=[at_most(120)])
    starts_on = Day(_l("开幕日期"), validators=[given(_l("开幕日期"))])
    ends_on = Day(_l("闭幕日期"), validators=[given(_l("闭幕日期"))])
    venue = StringField(_l("会场"), filters=[strip], validators=[at_most(120)])

    def validate_end_year(self, field):
        if field.data and self.start_year.data and field.data < self.start_year.data:
            raise ValidationError(_l("结束年份不能早于起始年份。"))

    def validate_ends_on(self, field):
        if field.data and self.starts_on.data and field.data < self.starts_on.data:
            raise ValidationError(_l("闭幕日期不能早于开幕日期。"))


class DelegationForm(FlaskForm):
    name = StringField(_l("代表团名称"), filters=[strip],
                       validators=[required(_l("代表团名称")), at_most(80)])


class DeputyForm(FlaskForm):
    jurisdiction = Choice(_l("行政区"), coerce=int)
    delegation = StringField(_l("代表团"), filters=[strip], validators=[at_most(80)])
    name = StringField(_l("姓名"), filters=[strip], validators=[required(_l("姓名")), at_most(40)])
    gender = Choice(_l("性别"), choices=labels.choices(labels.GENDER))
    phone = StringField(_l("联系电话"), filters=[strip], validators=[at_most(20)])
    occupation = StringField(_l("工作单位及职务"), filters=[strip], validators=[at_most(120)])
    active = BooleanField(_l("在册（计入应到人数）"), default=True)

    def validate_phone(self, field):
        if field.data and not phone_ok(field.data):
            raise ValidationError(_l("联系电话格式不正确。"))


# Projects -----------------------------------------------------------------------------------------

class UnitForm(FlaskForm):
    jurisdiction = Choice(_l("行政区"), coerce=int)
    name = StringField(_l("单位名称"), filters=[strip],
                       validators=[required(_l("单位名称")), at_most(80)])


class ProjectForm(FlaskForm):
    jurisdiction = Choice(_l("行政区"), coerce=int)
    year = Integer(_l("实施年度"), default=project_year,
                   validators=[given(_l("实施年度")), between(2000, 2100)])
    title = StringField(_l("项目名称"), filters=[strip],
                        validators=[required(_l("项目名称")), at_most(200)])
    category = Choice(_l("类别"), choices=labels.choices(labels.CATEGORY))
    unit = Choice(_l("承办单位"), coerce=int)
    budget_wan = Amount(_l("总投资（万元）"), places=2, validators=[
        given(_l("总投资")),
        NumberRange(min=0, message=_l("总投资不能为负数。")),
        NumberRange(max=9_999_999_999, message=_l("总投资数额过大。")),
    ])
    funding_source = StringField(_l("资金来源"), filters=[strip], validators=[at_most(120)])
    location = StringField(_l("实施地点"), filters=[strip], validators=[at_most(200)])
    summary = StringField(_l("一句话简介（印在选票上）"), filters=[strip],
                          validators=[at_most(300)])
    description = TextAreaField(_l("项目内容"), filters=[strip], validators=[at_most(20000)])
    planned_start = Day(_l("计划开工"), validators=[Optional()])
    planned_finish = Day(_l("计划完成"), validators=[Optional()])
    source = Choice(_l("项目来源"), choices=labels.choices(labels.PROJECT_SOURCE),
                    default="department")
    status = Choice(_l("状态"), choices=labels.choices(labels.PROJECT_STATUS), default="library")

    def validate_planned_finish(self, field):
        if field.data and self.planned_start.data and field.data < self.planned_start.data:
            raise ValidationError(_l("计划完成日期不能早于计划开工日期。"))


# Ballots ------------------------------------------------------------------------------------------

class BallotForm(FlaskForm):
    session = Choice(_l("会议"), coerce=int)
    kind = Choice(_l("类型"), choices=labels.choices(labels.BALLOT_KIND), default="selection")
    title = StringField(_l("表决名称"), filters=[strip],
                        validators=[required(_l("表决名称")), at_most(200)])
    seats = Integer(_l("应选数"), validators=[Optional(), between(1, 500)])
    threshold_base = Choice(_l("通过基数"), choices=labels.choices(labels.THRESHOLD_BASE),
                            default="roster")
    threshold = Choice(_l("通过比例"), choices=labels.choices(labels.THRESHOLD_FRACTION),
                       default="1/2")
    rectify_below = Integer(_l("满意率低于此值须整改（%）"),
                            validators=[Optional(), between(0, 100)])
    rules_text = TextAreaField(_l("票决办法"), filters=[strip], validators=[at_most(20000)])
    colour = Choice(_l("选票颜色"), choices=labels.choices(labels.SLIP_COLOUR), default="#c8102e")

    def validate(self, extra_validators=None):
        valid = super().validate(extra_validators)
        if self.kind.data == "selection" and self.seats.data is None and not self.seats.errors:
            self.seats.errors.append(_l("项目票决必须填写应选数。"))
            valid = False
        return valid


class ScrutineersForm(FlaskForm):
    users = Checkboxes(_l("监票人"), coerce=int)
    chief = RadioField(_l("总监票人"), coerce=int, validators=[Optional()],
                       validate_choice=False)

    def validate_chief(self, field):
        if self.users.data and not field.data:
            raise ValidationError(_l("请在监票人中指定一位总监票人。"))
        if field.data and field.data not in (self.users.data or []):
            raise ValidationError(_l("总监票人必须是勾选的监票人之一。"))


class CandidatesForm(FlaskForm):
    """Only the CSRF token: the rows (checkbox + order per project) are read by the view."""


# Roster files -------------------------------------------------------------------------------------

class ImportForm(FlaskForm):
    jurisdiction = Choice(_l("导入到行政区"), coerce=int)
    file = FileField(_l("名册文件（.xlsx 或 .csv）"),
                     validators=[FileRequired(message=_l("请选择要上传的文件。"))])


class ConfirmImportForm(FlaskForm):
    upload = HiddenField()


class ActionForm(FlaskForm):
    """A POST button: nothing but the CSRF token."""
