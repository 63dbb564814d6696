"""如何核验计票结果: the guide, and the verifier it hands out, run alone on a real export."""

import json
import shutil
import subprocess
import sys

from tests.results.conftest import certify_by_cli, text_of


def test_the_guide_explains_the_export_the_receipt_and_the_checks(client):
    page = text_of(client.get("/verify"))
    for words in ("如何核验计票结果", "公示数据里有什么", "核对您的回执码",
                  "pip install cryptography", "python counting.py", "VALID",
                  "每一项检查证明什么", "开启承诺", "监票人签名"):
        assert words in page, words
    assert 'href="/verify/counting.py"' in page
    assert 'style="' not in page and "<script" not in page


def test_the_verifier_download_is_the_counting_module(client):
    from voting.domain import counting

    response = client.get("/verify/counting.py")
    assert response.status_code == 200
    assert response.mimetype == "text/x-python"
    with open(counting.__file__, "rb") as source:
        assert response.get_data() == source.read()


def test_the_downloaded_verifier_runs_alone_on_a_published_export(vote_day, cli, client,
                                                                   tmp_path):
    day = vote_day(roster=4, present=4, mint=4, void=0)
    day.vote("FF..", "F.F.", "FF..")
    day.close()
    for person in day.scrutineers:
        certify_by_cli(cli, day.ballot.id, person)
    cli("ballot", "publish", day.ballot.id)
    home = tmp_path / "home"
    home.mkdir()
    (home / "counting.py").write_bytes(client.get("/verify/counting.py").get_data())
    export = client.get(f"/api/v1/ballots/{day.ballot.id}/export")
    (home / "export.json").write_bytes(export.get_data())
    # -I -S: no site-packages at all (no Flask, no SQLAlchemy, not the project): only the
    # standard library and a copy of what `pip install cryptography` installs, as on a
    # citizen's computer.
    install_cryptography(home / "deps")
    run = verify_alone(home)
    assert run.returncode == 0, run.stdout + run.stderr
    assert run.stdout.startswith("VALID")

    document = json.loads((home / "export.json").read_text(encoding="utf-8"))
    document["result"]["cast"] += 1
    (home / "export.json").write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    run = verify_alone(home)
    assert run.returncode == 1 and "the result's cast is 4, recomputed 3" in run.stdout


def verify_alone(home):
    script = ("import sys; sys.path[:0] = ['.', 'deps']; import counting; "
              "assert 'flask' not in sys.modules and 'sqlalchemy' not in sys.modules; "
              "sys.exit(counting.main(['export.json']))")
    return subprocess.run([sys.executable, "-I", "-S", "-c", script], cwd=home,
                          capture_output=True, text=True, timeout=60)


def install_cryptography(target):
    """Copy `cryptography` and its own requirements (cffi, pycparser) into `target`."""
    from importlib.metadata import distribution

    target.mkdir()
    for name in ("cryptography", "cffi", "pycparser"):
        try:
            dist = distribution(name)
        except ModuleNotFoundError:
            continue  # not needed by this build of cryptography
        for file in dist.files or []:
            source = dist.locate_file(file)
            if ".dist-info" in str(file) or not source.is_file():
                continue
            (target / file).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / file)
