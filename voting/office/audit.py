"""The audit log as clerks see it: who did what, when; and the hook that records it.

`note_back_office_action` runs before every request of the app: a POST (PUT, PATCH, DELETE) to
a back-office page by a signed-in user opens the request's audit entry (endpoint, view
arguments, user, address), which `voting.services.audit` writes when — and only if — the
request commits. Blueprints added later are covered without doing anything.
"""

from datetime import date

from flask import Blueprint, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from voting.auth.guards import role_required
from voting.extensions import db
from voting.office.labels import office_context
from voting.services import audit

bp = Blueprint("office_audit", __name__, url_prefix="/office/audit")
bp.context_processor(office_context)

PER_PAGE = 50
CHANGING = ("POST", "PUT", "PATCH", "DELETE")

# What an action code means, as a clerk says it; codes not listed show as they are.
ACTIONS = {
    "auth.login": _l("登录"),
    "auth.login_failed": _l("登录失败"),
    "auth.logout": _l("退出登录"),
    "office_sessions.create": _l("新建会议"),
    "office_sessions.edit": _l("修改会议"),
    "office_sessions.delete": _l("删除会议"),
    "office_sessions.create_jurisdiction": _l("新建行政区"),
    "office_sessions.edit_jurisdiction": _l("修改行政区"),
    "office_people.create_deputy": _l("新增代表"),
    "office_people.edit_deputy": _l("修改代表信息"),
    "office_people.delete_deputy": _l("删除代表"),
    "office_people.delegations": _l("新增代表团"),
    "office_people.edit_delegation": _l("修改代表团"),
    "office_people.delete_delegation": _l("删除代表团"),
    "office_roster.upload": _l("上传代表名册"),
    "office_roster.confirm": _l("导入代表名册"),
    "office_roster.cancel": _l("取消导入名册"),
    "office_signin.sign_in": _l("代表签到"),
    "office_signin.undo": _l("撤销签到"),
    "office_projects.create": _l("新增项目"),
    "office_projects.edit": _l("修改项目"),
    "office_projects.delete": _l("删除项目"),
    "office_projects.create_unit": _l("新增承办单位"),
    "office_projects.edit_unit": _l("修改承办单位"),
    "office_projects.delete_unit": _l("删除承办单位"),
    "office_ballots.create": _l("新建表决"),
    "office_ballots.edit": _l("修改表决"),
    "office_ballots.delete": _l("删除表决"),
    "office_ballots.candidates": _l("设置候选项目"),
    "office_ballots.scrutineers": _l("设置监票人"),
    "office_desk.mint": _l("生成选票"),
    "office_desk.void": _l("作废选票"),
    "office_desk.open_vote": _l("开始投票"),
    "office_desk.close_vote": _l("截止投票"),
    "office_results.certify": _l("监票签署"),
    "office_results.publish": _l("公布结果"),
    "office_results.runoff": _l("发起另行投票"),
    "office_proposals.accept": _l("采纳群众建议入库"),
    "office_proposals.merge": _l("合并重复建议"),
    "office_proposals.decline": _l("答复不予采纳"),
    "office_tracking.report": _l("报送实施进度"),
    "office_tracking.rectify": _l("报送整改进展"),
    "office_tracking.add_milestone": _l("新增实施节点"),
    "office_tracking.reschedule_milestone": _l("调整节点计划日期"),
    "office_tracking.complete_milestone": _l("节点标记完成"),
    "office_tracking.add_note": _l("记录视察意见"),
    "office_tracking.rectified": _l("确认整改完成"),
    "cli.demo": _l("载入演示数据"),
    "cli.user.add": _l("新建账号"),
    "cli.roster.import": _l("导入代表名册"),
    "cli.roster.signin": _l("代表签到"),
    "cli.ballot.scrutineers": _l("设置监票人"),
    "cli.ballot.tokens": _l("生成选票"),
    "cli.ballot.void": _l("作废选票"),
    "cli.ballot.open": _l("开始投票"),
    "cli.ballot.close": _l("截止投票"),
    "cli.ballot.tally": _l("计票"),
    "cli.ballot.runoff": _l("发起另行投票"),
    "cli.ballot.certify": _l("监票签署"),
    "cli.ballot.publish": _l("公布结果"),
    "cli.restore": _l("恢复数据库"),
    "cli.ballot.new": _l("新建表决"),
    "cli.ballot.edit": _l("修改表决"),
    "cli.ballot.candidates": _l("设置候选项目"),
    "cli.ballot.delete": _l("删除表决"),
    "cli.jurisdiction.add": _l("新建行政区"),
    "cli.jurisdiction.edit": _l("修改行政区"),
    "cli.session.add": _l("新建会议"),
    "cli.session.edit": _l("修改会议"),
    "cli.session.delete": _l("删除会议"),
    "cli.unit.add": _l("新增承办单位"),
    "cli.unit.edit": _l("修改承办单位"),
    "cli.unit.delete": _l("删除承办单位"),
    "cli.deputy.add": _l("新增代表"),
    "cli.deputy.edit": _l("修改代表信息"),
    "cli.deputy.delete": _l("删除代表"),
    "cli.delegation.add": _l("新增代表团"),
    "cli.delegation.rename": _l("修改代表团"),
    "cli.delegation.delete": _l("删除代表团"),
    "cli.project.add": _l("新增项目"),
    "cli.project.edit": _l("修改项目"),
    "cli.project.delete": _l("删除项目"),
    "cli.project.update": _l("报送实施进度"),
    "cli.project.note": _l("记录视察意见"),
    "cli.project.rectified": _l("确认整改完成"),
    "cli.proposal.accept": _l("采纳群众建议入库"),
    "cli.proposal.merge": _l("合并重复建议"),
    "cli.proposal.decline": _l("答复不予采纳"),
    "audit.restored": _l("日志随数据库恢复到备份时"),
}

# The areas offered in the filter: an action code prefix each.
AREAS = {
    "auth.": _l("登录与退出"),
    "office_sessions.": _l("会议与行政区"),
    "office_people.": _l("代表名册"),
    "office_roster.": _l("名册导入"),
    "office_signin.": _l("签到"),
    "office_projects.": _l("项目库"),
    "office_proposals.": _l("群众建议"),
    "office_ballots.": _l("表决设置"),
    "office_desk.": _l("票务台"),
    "office_results.": _l("计票与公布"),
    "office_tracking.": _l("实施跟踪"),
    "cli.": _l("命令行"),
}

DETAILS = {"ip": _l("地址"), "count": _l("张数"), "format": _l("格式"), "kind": _l("格式"),
           "out": _l("输出文件"), "name": _l("名称"), "role": _l("角色"),
           "display_name": _l("显示名称"), "usernames": _l("账号"), "chief": _l("总监票人"),
           "created": _l("新建"), "created_more": _l("另新建"),
           "replaced_head": _l("被替换日志的末条")}

TARGETS = {"ballot": _l("表决"), "session": _l("会议"), "congress_session": _l("会议"),
           "deputy": _l("代表"), "delegation": _l("代表团"), "jurisdiction": _l("行政区"),
           "project": _l("项目"), "unit": _l("承办单位"), "responsible_unit": _l("承办单位"),
           "user": _l("用户"), "attendance": _l("签到记录"), "proposal": _l("群众建议"),
           "term": _l("届")}

ROLES = {"admin": _l("管理员"), "clerk": _l("工作人员"), "scrutineer": _l("监票人"),
         "unit": _l("承办单位"), "cli": _l("命令行")}



@bp.before_app_request
def note_back_office_action():
    """Open the audit entry of a state-changing back-office request by a signed-in user."""
    blueprint = request.blueprint or ""
    if request.method not in CHANGING or not (blueprint == "office"
                                              or blueprint.startswith("office_")):
        return
    if not current_user.is_authenticated:
        return
    audit.begin_action(request.endpoint, audit.target_of(request.view_args or {}),
                       web=True, ip=request.remote_addr)


@bp.route("/")
@role_required("clerk")
def index():
    """Entries newest first, filtered; the chain checked now, at the top."""
    filters = _filters()
    page = db.paginate(audit.entries_query(**filters), per_page=PER_PAGE,
                       max_per_page=PER_PAGE, error_out=False)
    return render_template(
        "office/audit.html", page=page, filters=filters, check=audit.verify_log(),
        actors=[a for a in audit.actors() if a], areas=AREAS, action_label=action_label,
        target_label=target_label, role_label=ROLES, details_of=details_of,
        problem=problem_text)


def _filters() -> dict:
    return {"actor": request.args.get("actor", "")[:80] or None,
            "action": request.args.get("action", "").strip()[:120],
            "since": _day(request.args.get("from")), "until": _day(request.args.get("to"))}


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def action_label(code: str) -> str:
    return str(ACTIONS.get(code, code))


def target_label(target: str) -> str:
    """"ballot:3" → "表决 #3"; unknown kinds as they are."""
    parts = []
    for part in target.split():
        kind, _sep, value = part.partition(":")
        parts.append(f"{TARGETS[kind]} #{value}" if kind in TARGETS and value.isdigit()
                     else f"{TARGETS.get(kind, kind)} {value}".strip())
    return "，".join(parts)


def details_of(entry) -> list[tuple[str, str]]:
    """(label, value) pairs of an entry's details, for the table."""
    pairs = []
    for key, value in audit.parsed_details(entry).items():
        if key == "created":
            value = [target_label(str(row)) for row in value]
        text = "、".join(map(str, value)) if isinstance(value, list) else str(value)
        pairs.append((str(DETAILS.get(key, key)), text))
    return pairs


def problem_text(check: audit.ChainCheck) -> str:
    """Where the chain breaks, as a sentence for the page."""
    if check.problem == "missing":
        if check.missing_from == (check.broken_at or 0) - 1:
            return _("第%(n)d条已被删除。", n=check.missing_from)
        return _("第%(first)d条至第%(last)d条已被删除。", first=check.missing_from,
                 last=(check.broken_at or 1) - 1)
    if check.problem == "changed":
        return _("第%(n)d条的内容已被改动。", n=check.broken_at)
    if check.problem == "relinked":
        return _("第%(n)d条与前一条接不上：前面的记录被改动、删除或插入过。", n=check.broken_at)
    if check.problem == "cut_back" and (check.witness_id or 0) > check.head_id:
        return _("末尾的第%(first)d条至第%(last)d条已被删除（见证文件记着第%(last)d条）。",
                 first=check.head_id + 1, last=check.witness_id)
    if check.problem == "cut_back":
        return _("日志与见证文件记下的末条对不上：见证文件或日志被改动、重写过。")
    if check.problem == "no_witness":
        return _("见证文件丢失：末尾的记录是否被删除已无法核对。")
    return _("找不到此前记下的末条哈希：日志在那之后被截短或重写过。")
