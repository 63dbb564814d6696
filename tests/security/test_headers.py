"""Security headers on every response of the URL map, pages, JSON, files and errors alike."""

from tests.security.conftest import log_in, rules, url_for_rule


def test_every_route_answers_with_the_security_headers(app, client, instance):
    log_in(client, "admin", "qc-admin-2027")
    failures = []
    urls = [url_for_rule(rule) for rule, _ in rules(app, methods=("GET",))] + ["/no-such-page"]
    for url in urls:
        response = client.get(url)
        response.close()  # static files are streamed
        headers = response.headers
        csp = headers.get("Content-Security-Policy", "")
        problems = [
            "csp" if "frame-ancestors 'none'" not in csp or "'unsafe-inline'" in csp
            or "script-src 'self'" not in csp else "",
            "nosniff" if headers.get("X-Content-Type-Options") != "nosniff" else "",
            "referrer" if headers.get("Referrer-Policy") not in ("same-origin", "no-referrer",
                                                                 "strict-origin") else "",
            "hsts over plain http" if "Strict-Transport-Security" in headers else "",
        ]
        if any(problems):
            failures.append(f"{url}: {[p for p in problems if p]}")
    assert not failures, "\n".join(failures)


def test_the_session_cookie_is_httponly_and_samesite(client):
    response = client.post("/login", data={"username": "clerk", "password": "qc-clerk-2027"})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
