"""Chinese names for the codes the models store (category, status, ballot state…), and the
template context every office blueprint shares: `labels`, and `link(endpoint, **values)` for
pages another part of the app may not provide (None instead of an error).

Forms use the labels for their choices.
"""

from flask import url_for
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError
from wtforms.fields.choices import SelectChoice

from voting.services.ballots import STATE_LABELS

CATEGORY = {
    "education": _l("教育"), "health": _l("卫生"), "housing": _l("住房"),
    "transport": _l("交通"), "water": _l("水利"), "elderly": _l("养老"),
    "childcare": _l("托育"), "safety": _l("安全"), "market": _l("市场"),
    "environment": _l("环境"), "employment": _l("就业"),
}

PROJECT_STATUS = {
    "library": _l("入库"), "candidate": _l("候选"), "selected": _l("票决入选"),
    "not_selected": _l("未入选"), "in_progress": _l("实施中"), "completed": _l("已完成"),
}

PROJECT_SOURCE = {
    "public": _l("群众建议"), "deputy": _l("代表建议"), "department": _l("部门申报"),
}

BALLOT_KIND = {"selection": _l("项目票决"), "evaluation": _l("满意度测评")}

BALLOT_STATE = STATE_LABELS

THRESHOLD_BASE = {
    "roster": _l("全体代表"), "present": _l("出席代表"), "cast": _l("有效选票"),
}

# Offered fractions; the threshold is "more than" the fraction of the base.
THRESHOLD_FRACTION = {"1/2": _l("过半数（1/2）"), "2/3": _l("超过三分之二（2/3）")}

LEVEL = {"county": _l("县（区）"), "city": _l("市"), "town": _l("乡镇（街道）")}

GENDER = {"": _l("未填"), "男": _l("男"), "女": _l("女")}

# Slip colours that print well and stay distinct when several ballots run at one sitting.
SLIP_COLOUR = {
    "#c8102e": _l("红色"), "#1f5fbf": _l("蓝色"), "#1b7a3a": _l("绿色"),
    "#d98a00": _l("黄色"), "#7a3fb0": _l("紫色"), "#555a60": _l("灰色"),
}

ALL = {
    "category": CATEGORY, "project_status": PROJECT_STATUS, "source": PROJECT_SOURCE,
    "kind": BALLOT_KIND, "state": BALLOT_STATE, "base": THRESHOLD_BASE, "level": LEVEL,
    "gender": GENDER, "colour": SLIP_COLOUR,
}


def choices(mapping: dict) -> list[SelectChoice]:
    return [SelectChoice(code, label) for code, label in mapping.items()]


def optional_url(endpoint: str, **values) -> str | None:
    """The URL of a page that may not exist in this build; None if absent."""
    try:
        return url_for(endpoint, **values)
    except BuildError:
        return None


def office_context() -> dict:
    """Context processor for every office blueprint."""
    return {"labels": ALL, "link": optional_url}
