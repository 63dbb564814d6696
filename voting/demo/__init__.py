"""The demo jurisdiction (`voting demo`): 青川县 and two of its towns, all fictional.

What it holds, as CONTRACT.md promises: a 150-deputy county roster in 8 delegations, the current
session (第十八届人大第六次会议, January 2027), 12 candidate projects for 2027 and a draft
selection ballot (12 for 10, more than half of the 150 deputies: 76 "for" votes), last year's 8
projects with milestones, progress reports, photos and supervision notes and a draft evaluation
ballot on them, public proposals, two towns with their own rosters and candidates, and the staff
accounts below. Nothing is voted yet: the sign-in and the vote happen on the day.

The passwords are printed and are the same on every machine: demo accounts are for trying the
system, and are to be deactivated on a real deployment.
"""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

from voting.demo import data, loader, sitting, unload
from voting.domain.counting import threshold
from voting.errors import WrongState
from voting.extensions import db
from voting.models import Deputy, Jurisdiction
from voting.services import results


@dataclass(frozen=True)
class DemoAccount:
    username: str
    password: str  # at least 8 characters (see voting.services.accounts)
    role: str
    display_name: str
    can: str  # what the account is for, as printed
    unit: str | None = None  # 承办单位, for role "unit"
    chief: bool = False  # 总监票人


DEMO_ACCOUNTS = (
    DemoAccount("admin", "qc-admin-2027", "admin", "县人大常委会信息中心 赵磊",
                "管理员：管理工作人员账号和系统设置"),
    DemoAccount("clerk", "qc-clerk-2027", "clerk", "县人大常委会办公室 王丽",
                "人大工作人员：名册与签到、项目库、群众建议、票决和测评（制作选票凭证、开始和结束投票、公布）"),
    DemoAccount("scrutineer1", "qc-jianpiao-1", "scrutineer", "刘建华",
                "总监票人：监督本次会议的项目票决和满意度测评，签署计票结果", chief=True),
    DemoAccount("scrutineer2", "qc-jianpiao-2", "scrutineer", "何秀英",
                "监票人：监督本次会议的项目票决和满意度测评，签署计票结果"),
    DemoAccount("scrutineer3", "qc-jianpiao-3", "scrutineer", "邓志远",
                "监票人：监督本次会议的项目票决和满意度测评，签署计票结果"),
    DemoAccount("unit-edu", "qc-jiaoyu-2027", "unit", "县教育局 陈晓东",
                "承办单位（县教育局）：报送本单位项目的进度、资金和现场照片", unit="县教育局"),
    DemoAccount("unit-transport", "qc-jiaotong-2027", "unit", "县交通运输局 杨帆",
                "承办单位（县交通运输局）：报送本单位项目的进度、资金和现场照片",
                unit="县交通运输局"),
    DemoAccount("unit-health", "qc-weijian-2027", "unit", "县卫生健康局 周敏",
                "承办单位（县卫生健康局）：报送本单位项目的进度、资金和现场照片",
                unit="县卫生健康局"),
)


def demo_loaded() -> bool:
    """Whether the demo county is in the database."""
    return db.session.scalar(db.select(Jurisdiction.id).filter_by(name=data.COUNTY)) is not None


def account_lines(accounts=DEMO_ACCOUNTS) -> list[str]:
    """The demo accounts with their passwords and what each can do, one line each."""
    lines = ["演示账号 (demo accounts) — 公开的演示密码，正式使用前请停用这些账号："]
    width = max(len(a.username) for a in accounts)
    for account in accounts:
        lines.append(f"  {account.username:<{width}}  密码 {account.password:<16}  "
                     f"{account.display_name} — {account.can}")
    return lines


def load_demo(today: date | None = None) -> list[str]:
    """Load the whole demo in one transaction; return the lines to print (summary, accounts).

    Raises WrongState, and changes nothing, when the demo county is already there. Photo files
    written before a failure are removed again.
    """
    if demo_loaded():
        raise WrongState(_("演示数据已经载入，本次未作任何改动。"))
    today = today or date.today()
    uploads = Path(current_app.instance_path) / "uploads"
    written: list[Path] = []
    try:
        county, session, units, people = loader.add_county()
        towns = loader.add_towns(county, people)
        users = loader.add_accounts(DEMO_ACCOUNTS, units)
        candidates = loader.add_candidates(county, units)
        authors = {u.unit.name: u for u in users.values() if u.role == "unit"}
        last_year = loader.add_history(county, units, authors, users["clerk"], today, uploads,
                                       written)
        scrutineers = [(users[a.username], a.chief) for a in DEMO_ACCOUNTS
                       if a.role == "scrutineer"]
        selection, evaluation = loader.add_ballots(session, candidates, last_year, scrutineers)
        proposals = loader.add_proposals(county, candidates, today)
        signers = [(users[a.username], a.password, a.chief) for a in DEMO_ACCOUNTS
                   if a.role == "scrutineer"]
        past_ballots = sitting.add_past_sitting(county, units, authors, users["clerk"],
                                                last_year, signers, uploads, written)
        db.session.commit()
    except BaseException:
        db.session.rollback()
        # The past sitting's casts commit as they go: take back whatever got in.
        unload.remove_demo([a.username for a in DEMO_ACCOUNTS])
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return summary_lines(county, towns, session, selection, evaluation, len(proposals)) \
        + past_lines(*past_ballots) + account_lines()


def past_lines(selection, evaluation) -> list[str]:
    """The past sitting's two published ballots, in a line."""
    chosen = len(results.result_of(selection)["selected"])
    rectify = sum(1 for c in evaluation.candidates if c.project.rectification)
    return [
        f"  往届：{selection.session.title}的票决 #{selection.id}（"
        f"{len(selection.candidates)}选{selection.seats}，{chosen}个入选）和满意度测评 "
        f"#{evaluation.id}（2025年项目{len(evaluation.candidates)}个，{rectify}个须整改），"
        f"均已签署公布。",
    ]


def summary_lines(county, towns, session, selection, evaluation, proposals: int) -> list[str]:
    """What was loaded, in a few lines."""

    def roster(jurisdiction) -> int:
        return db.session.scalar(db.select(db.func.count(Deputy.id))
                                 .filter_by(jurisdiction_id=jurisdiction.id, active=True))

    town_text = "、".join(f"{t.name}（代表{roster(t)}名）" for t in towns)
    rule = {"base": selection.threshold_base, "numerator": selection.threshold_num,
            "denominator": selection.threshold_den}
    needed = threshold(rule, roster=roster(county), present=0, cast=0)
    return [
        f"已载入演示数据：{county.name}，代表{roster(county)}名、代表团{len(county.delegations)}个；"
        f"本次会议：{session.title}（{session.venue}）。",
        f"  票决草稿 #{selection.id}「{selection.title}」：候选项目{len(selection.candidates)}个，"
        f"应选{selection.seats}个，赞成票须超过全体代表的半数（至少{needed}票）。",
        f"  测评草稿 #{evaluation.id}「{evaluation.title}」："
        f"2026年项目{len(evaluation.candidates)}个。",
        f"  群众建议{proposals}条；乡镇：{town_text}。",
    ]
