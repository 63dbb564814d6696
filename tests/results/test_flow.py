"""From the closed vote to the published, verifiable result: tally, certification (CLI and
web), publication, the public page, the API, the export and the independent verifier."""

import json
import re
from pathlib import Path

import pytest

from tests.results.conftest import (
    SCRUTINEERS,
    certify_by_cli,
    certify_by_web,
    tally_json,
    text_of,
)
from voting.domain import counting
from voting.extensions import db
from voting.instance import SIGNING_KEY_FILE, ensure_instance, load_signing_key
from voting.models import Ballot, Certification

# Ten deputies on the roster, nine present; ten slips printed, one voided: nine issued, cast.
BALLOTS = ("FFA.", "FF..", "FF..", "FF.A", "FF..", "F.F.", ".FF.", ".F..", "....")


@pytest.fixture
def closed(vote_day):
    day = vote_day()
    day.vote(*BALLOTS)
    day.close()
    return day


def signatures(ballot_id) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(Certification)
                             .filter_by(ballot_id=ballot_id))


def test_tally_gives_the_exact_figures(closed, cli):
    a, b, c, d = closed.ids
    result = tally_json(cli, closed.ballot.id)
    assert {k: result[k] for k in ("roster", "present", "quorum", "issued", "cast", "valid",
                                   "invalid", "blank", "threshold", "seats")} == {
        "roster": 10, "present": 9, "quorum": True, "issued": 9, "cast": 9, "valid": 9,
        "invalid": 0, "blank": 1, "threshold": 6, "seats": 2}
    assert result["counts"] == {
        a: {"for": 6, "against": 0, "abstain": 3}, b: {"for": 7, "against": 0, "abstain": 2},
        c: {"for": 2, "against": 1, "abstain": 6}, d: {"for": 0, "against": 1, "abstain": 8}}
    assert result["selected"] == [b, a]  # by votes, not by the order of listing
    assert (result["tied"], result["unfilled"], result["runoff_seats"]) == ([], 0, 0)


def test_certify_publish_export_verify(closed, cli, client, sign_in, tmp_path):
    ballot_id = closed.ballot.id
    chief, second, third = closed.scrutineers

    # CLI certification by the chief scrutineer.
    signed = certify_by_cli(cli, ballot_id, chief)
    assert signed.exit_code == 0, signed.output

    # Publication is refused while anyone has not signed: CLI and web.
    refused = cli("ballot", "publish", ballot_id)
    assert refused.exit_code != 0
    assert SCRUTINEERS[1] in refused.output and SCRUTINEERS[2] in refused.output
    assert client.get(f"/api/v1/ballots/{ballot_id}/result").status_code == 404
    export_404 = client.get(f"/api/v1/ballots/{ballot_id}/export")
    assert export_404.status_code == 404 and export_404.get_json()["error"] == "not_found"
    assert "赞成7票" not in text_of(client.get(f"/ballots/{ballot_id}"))

    # Web certification by the second.
    sign_in(second)
    page = text_of(client.get(f"/office/results/{ballot_id}"))
    assert "签署计票结果" in page and 'type="password"' in page
    response = certify_by_web(client, ballot_id)
    assert response.status_code == 302
    page = text_of(client.get(f"/office/results/{ballot_id}"))
    assert "已签署计票结果" in page and 'type="password"' not in page

    sign_in("clerk")
    refused = client.post(f"/office/results/{ballot_id}/publish", follow_redirects=True)
    assert "还有监票人未签署" in text_of(refused) and SCRUTINEERS[2] in text_of(refused)
    assert closed.reload().state == "closed"

    # The third signs on the web too; the ballot is certified.
    sign_in(third)
    assert certify_by_web(client, ballot_id).status_code == 302
    assert closed.reload().state == "certified"
    assert signatures(ballot_id) == 3

    # The clerk sees who signed, with fingerprints, and publishes.
    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{ballot_id}"))
    for person in closed.scrutineers:
        assert person.display_name in page
        key = person.public_key
        assert f"{key[:4]} {key[4:8]} {key[8:12]} {key[12:16]}" in page
    assert "公布计票结果" in page
    published = client.post(f"/office/results/{ballot_id}/publish", follow_redirects=True)
    assert "计票结果已公布" in text_of(published)
    assert closed.reload().state == "published"
    a, b, c, d = closed.projects
    assert (a.status, b.status, c.status, d.status) == (
        "selected", "selected", "not_selected", "not_selected")

    # The public page shows the selected projects in order, and links to export and verify.
    sign_in_out = client.post("/logout")
    assert sign_in_out.status_code == 302
    public = text_of(client.get(f"/ballots/{ballot_id}"))
    ordered = public.split("入选项目（按得票多少排序）")[1]
    assert ordered.index(b.title) < ordered.index(a.title)
    assert c.title not in ordered.split("</ol>")[0]
    assert f"/api/v1/ballots/{ballot_id}/export" in public and "/verify" in public
    assert "<svg" in public and 'style="' not in public and "<script" not in public

    # voting export, then voting verify: VALID.
    out = tmp_path / "export.json"
    assert cli("export", ballot_id, "--out", out).exit_code == 0
    verified = cli("verify", out)
    assert verified.exit_code == 0, verified.output
    assert verified.output.startswith("VALID")

    # The API: the same document as the CLI's export, the result with its signatures.
    api_export = client.get(f"/api/v1/ballots/{ballot_id}/export")
    assert api_export.status_code == 200
    assert api_export.headers["Content-Disposition"] == \
        f'attachment; filename="ballot-{ballot_id}-export.json"'
    assert api_export.get_data() == out.read_bytes()
    document = json.loads(out.read_text(encoding="utf-8"))
    api_result = client.get(f"/api/v1/ballots/{ballot_id}/result").get_json()
    assert api_result.pop("signatures") == document["signatures"]
    assert api_result == document["result"] == tally_json(cli, ballot_id)
    assert {s["scrutineer"] for s in document["signatures"]} == set(SCRUTINEERS)


def test_tampered_exports_fail_with_the_reason(closed, cli, tmp_path):
    ballot_id = closed.ballot.id
    for person in closed.scrutineers:
        assert certify_by_cli(cli, ballot_id, person).exit_code == 0
    assert cli("ballot", "publish", ballot_id).exit_code == 0
    out = tmp_path / "export.json"
    cli("export", ballot_id, "--out", out)
    original = json.loads(out.read_text(encoding="utf-8"))

    changed = json.loads(json.dumps(original))
    first = changed["ballots"][0]
    cid = next(iter(first["choices"]))
    first["choices"][cid] = "against" if first["choices"][cid] != "against" else "for"
    (tmp_path / "changed.json").write_text(json.dumps(changed, ensure_ascii=False), "utf-8")
    result = cli("verify", tmp_path / "changed.json")
    assert result.exit_code == 1
    assert "INVALID" in result.output and f"count for candidate {cid}" in result.output

    dropped = json.loads(json.dumps(original))
    gone = dropped["signatures"].pop()
    (tmp_path / "dropped.json").write_text(json.dumps(dropped, ensure_ascii=False), "utf-8")
    result = cli("verify", tmp_path / "dropped.json")
    assert result.exit_code == 1
    assert f"scrutineer {gone['scrutineer']} has not signed the result" in result.output


def test_wrong_password_signs_nothing_and_says_so(closed, client, sign_in):
    sign_in(closed.scrutineers[0])
    response = certify_by_web(client, closed.ballot.id, password="not-my-password")
    assert response.status_code == 400
    assert "密码不正确，未签署。" in text_of(response)
    assert signatures(closed.ballot.id) == 0
    assert closed.reload().state == "closed"
    empty = certify_by_web(client, closed.ballot.id, password="")
    assert empty.status_code == 400 and "请输入密码" in text_of(empty)
    assert signatures(closed.ballot.id) == 0


def test_only_the_ballots_scrutineers_may_certify(closed, client, sign_in, make):
    outsider = make.user("scrutineer", display_name="赵局外")
    sign_in(outsider)
    assert client.get(f"/office/results/{closed.ballot.id}").status_code == 403
    assert certify_by_web(client, closed.ballot.id).status_code == 403
    sign_in("clerk")
    assert certify_by_web(client, closed.ballot.id).status_code == 403
    assert signatures(closed.ballot.id) == 0
    assert client.get(f"/office/results/{closed.ballot.id}").status_code == 200


def test_signing_twice_is_refused(closed, client, sign_in):
    sign_in(closed.scrutineers[1])
    assert certify_by_web(client, closed.ballot.id).status_code == 302
    again = certify_by_web(client, closed.ballot.id)
    assert again.status_code == 409 and "已经签署过" in text_of(again)
    assert signatures(closed.ballot.id) == 1


def test_no_result_page_before_the_vote_is_over(vote_day, client, sign_in):
    day = vote_day()
    sign_in("clerk")
    response = client.get(f"/office/results/{day.ballot.id}")
    assert response.status_code == 409 and "投票尚未结束" in text_of(response)
    assert client.get("/office/results/99999").status_code == 404
    client.post("/logout")
    assert client.get(f"/office/results/{day.ballot.id}").status_code == 302  # to /login


def test_the_result_page_shows_figures_table_and_chart(closed, client, sign_in):
    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{closed.ballot.id}"))
    for words in ("应到代表", "实到代表", "发出选票", "收回选票", "有效票", "无效票", "空白票",
                  "通过票数", "赞成", "不赞成", "弃权", "入选", "未达通过票数"):
        assert words in page, words
    assert "至少6票" in page
    chart = page[page.index('<figure class="result-chart">'):]
    svg = chart[:chart.index("</svg>")]
    assert svg.count("<rect") == 3  # a bar for each project with a "for" vote (not for 0)
    assert 'stroke-dasharray' in svg and "通过票数 6" in svg
    assert 'style="' not in page and "<script" not in page


def test_receipt_check_finds_a_real_receipt_only(closed, cli, client):
    ballot_id = closed.ballot.id
    real = closed.receipts[0]
    assert client.get(f"/ballots/{ballot_id}/receipt?code={real}").status_code == 404
    for person in closed.scrutineers:
        certify_by_cli(cli, ballot_id, person)
    cli("ballot", "publish", ballot_id)
    found = client.get(f"/ballots/{ballot_id}/receipt", query_string={"code": real})
    assert found.status_code == 200 and "已找到" in text_of(found)
    typed = client.get(f"/ballots/{ballot_id}/receipt",
                       query_string={"code": real.lower().replace("-", " ")})
    assert "已找到" in text_of(typed)
    made_up = client.get(f"/ballots/{ballot_id}/receipt?code=ABCD-EFGH-JKLM-NPQR")
    assert made_up.status_code == 200 and "未找到" in text_of(made_up)
    assert "已找到" not in text_of(made_up)
    garbage = client.get(f"/ballots/{ballot_id}/receipt?code=hello")
    assert garbage.status_code == 400 and "16个字母和数字" in text_of(garbage)
    # No other information: the answer page names no choice and no count.
    assert "赞成" not in text_of(found)


def test_announcement_names_the_scrutineers_and_gives_the_figures(closed, cli, client,
                                                                    sign_in):
    ballot_id = closed.ballot.id
    for person in closed.scrutineers:
        certify_by_cli(cli, ballot_id, person)
    sign_in("clerk")
    page = text_of(client.get(f"/office/results/{ballot_id}/announcement"))
    assert "青川县第十八届人民代表大会第六次会议" in page and "公告" in page and "（第1号）" in page
    assert "应到代表10名，实到代表9名" in page
    assert "共发出选票9张，收回选票9张，其中有效票9张，无效票0张" in page
    assert "总监票人：" in page and "监票人：" in page
    for person in closed.scrutineers:
        assert person.display_name in page
        assert f"{person.public_key[:4]} {person.public_key[4:8]}" in page
    a, b, _c, _d = closed.projects
    listed = page.split("公告如下")[1]
    assert listed.index(b.title) < listed.index(a.title)
    assert "（赞成7票）" in listed and "主席团" in page
    assert "css/print.css" in page
    # The public copy only once published.
    client.post("/logout")
    assert client.get(f"/ballots/{ballot_id}/announcement").status_code == 404
    cli("ballot", "publish", ballot_id)
    public = text_of(client.get(f"/ballots/{ballot_id}/announcement"))
    assert "共发出选票9张" in public and SCRUTINEERS[0] in public


def test_pages_in_english(closed, cli, client):
    ballot_id = closed.ballot.id
    for person in closed.scrutineers:
        certify_by_cli(cli, ballot_id, person)
    cli("ballot", "publish", ballot_id)
    en = {"Accept-Language": "en"}
    data = [closed.ballot.title, closed.ballot.session.title, closed.ballot.rules_text,
            *SCRUTINEERS, *(p.title for p in closed.projects),
            *(p.unit.name for p in closed.projects)]
    for url in (f"/ballots/{ballot_id}", f"/ballots/{ballot_id}/announcement", "/verify",
                f"/ballots/{ballot_id}/receipt?code={closed.receipts[0]}"):
        page = text_of(client.get(url, headers=en))
        assert '<html lang="en">' in page
        page = page.replace(">票</span>", "").replace(">中文</a>", "")  # base.html: logo, switch
        for text in sorted(data, key=len, reverse=True):
            page = page.replace(text, "")
        chinese = [ch for ch in page if "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef"]
        assert not chinese, (url, "".join(chinese)[:80])
        # Sentences the Chinese writes back to back are spaced apart in English.
        run_on = re.findall(r"\w+[.:][A-Z]\w*", re.sub(r"<[^>]+>", " ", page))
        assert not run_on, (url, run_on)


def test_an_export_still_verifies_after_the_instance_key_is_changed(closed, cli, app, tmp_path):
    """docs/deploy.md: the signing key may be changed between sittings. A published ballot's
    export keeps naming the key its tokens and commitment were signed with."""
    ballot_id = closed.ballot.id
    for person in closed.scrutineers:
        assert certify_by_cli(cli, ballot_id, person).exit_code == 0
    assert cli("ballot", "publish", ballot_id).exit_code == 0
    before = tmp_path / "before.json"
    assert cli("export", ballot_id, "--out", before).exit_code == 0
    old_key = json.loads(before.read_text(encoding="utf-8"))["instance_public_key"]

    # The operator's steps: retire the key file, `voting init` makes a new one.
    instance = Path(app.instance_path)
    (instance / SIGNING_KEY_FILE).rename(tmp_path / "signing_key.pem.retired")
    assert cli("init").exit_code == 0
    assert counting.public_key_hex(load_signing_key(instance)) != old_key

    after = tmp_path / "after.json"
    assert cli("export", ballot_id, "--out", after).exit_code == 0
    assert after.read_bytes() == before.read_bytes()
    verified = cli("verify", after)
    assert verified.exit_code == 0 and verified.output.startswith("VALID"), verified.output


def test_the_upgrade_records_the_opening_key_of_ballots_opened_before_it(closed, app, tmp_path):
    """Migration a2d1c0de0004: a ballot opened before keys were recorded gets the current
    instance key if its commitment was signed with it, and keeps none if it was not."""
    from flask_migrate import downgrade, upgrade

    ballot_id, key = closed.ballot.id, closed.ballot.instance_public_key
    assert key

    def forget_and_upgrade():
        db.session.execute(db.update(Ballot).where(Ballot.id == ballot_id)
                           .values(instance_public_key=None))
        db.session.commit()
        downgrade(revision="a2d1c0de0003")
        upgrade()
        db.session.expire_all()
        return db.session.get(Ballot, ballot_id).instance_public_key

    assert forget_and_upgrade() == key
    # Opened under a key that has since been changed: no key is better than a wrong one.
    instance = Path(app.instance_path)
    (instance / SIGNING_KEY_FILE).rename(tmp_path / "signing_key.pem.retired")
    ensure_instance(instance)
    assert forget_and_upgrade() is None
