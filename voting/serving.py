"""gunicorn settings for `voting serve`: used as `gunicorn -c python:voting.serving`.

The access log never holds a ballot token: `/v/<token>` is logged as `/v/[redacted]`, and the
Referer header (which could carry one) is not logged at all.
"""

import re

from gunicorn.glogging import Logger

TOKEN_PATH = re.compile(r"/v/[A-Za-z0-9_\-]+")

access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
accesslog = "-"
errorlog = "-"
# One request at a time per process. gthread workers (8 threads each) crashed with SIGSEGV
# under a load of booth pages on CPython 3.11.7 (heap corruption seen by the garbage collector;
# reproduced in one process with 8 threads, never with one). A sync worker also keeps the
# SQLite write lock contended by the workers only, not by 16 threads. Slow phones are nginx's
# business: it buffers each request and answer (docs/deploy.md).
worker_class = "sync"
timeout = 60
graceful_timeout = 20
# gunicorn would believe X-Forwarded-Proto from 127.0.0.1 by default; the app alone decides
# which proxy headers to believe (VOTING_PROXY_COUNT, werkzeug's ProxyFix in voting.security).
forwarded_allow_ips = ""


def redact(text: str) -> str:
    return TOKEN_PATH.sub("/v/[redacted]", text)


class RedactingLogger(Logger):
    """Redacts tokens from the atoms of every access log line and from error log messages."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("U", "r", "q", "f"):
            if key in atoms:
                atoms[key] = redact(str(atoms[key]))
        return atoms

    def error(self, msg, *args, **kwargs):
        super().error(redact(str(msg)), *args, **kwargs)

    def exception(self, msg, *args, **kwargs):
        super().exception(redact(str(msg)), *args, **kwargs)


logger_class = RedactingLogger
