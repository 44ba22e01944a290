"""gunicorn's configuration for the web process (pages, the API, the admin).

Run as ``gunicorn -c python:smartbot.gunicorn_config -b ADDRESS smartbot.wsgi:application`` (the Procfile's web).

HTTP runs on every core: ``WEB_CONCURRENCY`` worker processes (default: two per core this process may run on),
each with ``WEB_THREADS`` threads (default 2; gunicorn's ``gthread`` worker). Python runs one thread at a time per
process, so several processes of few threads beat few of many (measured in docs/benchmarks.md). Every worker
process has its own database pool of at most ``DB_POOL_MAX_SIZE`` connections, so the web tier holds at most
``WEB_CONCURRENCY x DB_POOL_MAX_SIZE`` (docs/operations.md, "Database connections"). The chat's WebSockets are
not served here but by daphne (``smartbot.asgi``); the front proxy routes ``/ws/`` there (deploy/nginx.conf).
Measured choice of the layout: docs/benchmarks.md, "HTTP: API, dashboard, apply".

The bind address comes from the command line (the Procfile's ``-b``). The access log goes through
``smartbot.logging.access_log`` (logger ``smartbot.access``: JSON in production, chat tokens in paths hashed),
as daphne's does. Settings reference: https://docs.gunicorn.org/en/stable/settings.html
"""

import os

from gunicorn.glogging import Logger


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))  # the cores this container or process may use, not the host's
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


workers = _int("WEB_CONCURRENCY", 2 * _cores())
worker_class = "gthread"
threads = _int("WEB_THREADS", 2)
# The longest request: an apply's resume extraction is bounded by RESUME_EXTRACT_SECONDS (10 s by default).
timeout = _int("WEB_TIMEOUT", 30)
graceful_timeout = 30
# Each worker listens on its own socket (SO_REUSEPORT) and the kernel spreads new connections across them. With
# one shared socket, gthread workers race to accept and keep what they won for the life of the keep-alive
# connection: measured, one of four workers held 42-50 of 50 clients' connections and the machine served one
# core's worth (docs/benchmarks.md, "One worker took every connection"). Needs net.ipv4.tcp_migrate_req=1, or
# connections waiting in an exiting worker's socket are reset (when_ready below warns; docs/operations.md).
reuse_port = True
MIGRATE_REQ = "/proc/sys/net/ipv4/tcp_migrate_req"
# Keep-alive behind the proxy (nginx keeps its upstream connections open: deploy/nginx.conf).
keepalive = 75
# Over the proxy's own limits (nginx: 8 KB per header line by default): gunicorn's defaults.
limit_request_line = 8190
# The access log is written by AccessLogger below, through logging; errors to stderr.
errorlog = "-"
accesslog = None
# No runtime control socket (gunicornc): one fixed path per user would be shared by every gunicorn on the host.
control_socket_disable = True


class AccessLogger(Logger):
    """gunicorn's logger with the access log sent through ``smartbot.logging.access_log`` (token hashed)."""

    def access(self, resp, req, environ, request_time):
        """One ``smartbot.access`` line per request: client, method, path (redacted), status, size, duration, and the
        request's id from its ``X-Request-ID`` answer header (none for an answer Django did not give, e.g. a 413:
        the worker thread's context still holds the previous request's)."""
        from smartbot.logging import REQUEST_ID_HEADER, access_log, log_context_replace, log_context_reset

        header = REQUEST_ID_HEADER.lower()
        request_id = next((value for name, value in resp.headers if name.lower() == header), None)
        token = log_context_replace(**({"request_id": request_id} if request_id else {}))
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        try:
            access_log(
                "http",
                "complete",
                {
                    "client": environ.get("REMOTE_ADDR"),
                    "method": environ.get("REQUEST_METHOD"),
                    "path": environ.get("RAW_URI") or environ.get("PATH_INFO", ""),
                    "status": int(status) if str(status).isdigit() else status,
                    "size": getattr(resp, "sent", None),
                    "time_taken": request_time.total_seconds(),
                },
            )
        finally:
            log_context_reset(token)


logger_class = AccessLogger


def when_ready(server):
    """The master is up. With ``reuse_port`` it listens on nothing itself (its own "Listening at" line is empty), so
    this logs the address its workers listen at, and warns when the kernel would reset the connections waiting in a
    worker's socket as that worker exits (a reload, a replaced worker): Linux 5.14+ moves them to the other workers'
    sockets only with ``net.ipv4.tcp_migrate_req=1`` (kernel docs, Documentation/networking/ip-sysctl.rst).
    Measured: wrk on 4 workers, two killed in 20 s: 5-8 connections reset with 0, none with 1."""
    server.log.info("Workers listen at: %s, each on its own SO_REUSEPORT socket", ", ".join(server.cfg.bind))
    try:
        with open(MIGRATE_REQ) as setting:
            migrate = setting.read().strip()
    except OSError:  # not Linux, or a kernel without the setting: nothing to say
        return
    if migrate == "0":
        server.log.warning(
            "net.ipv4.tcp_migrate_req is 0: connections waiting in a worker's socket when it exits (a reload, "
            "a replaced worker) are reset; set it to 1 (docs/operations.md, 'Each gunicorn worker listens')"
        )


def post_worker_init(worker):
    """A worker process is ready: start its resume extraction's fork server before any applicant needs it."""
    from django.conf import settings

    if settings.RESUME_EXTRACT_POOL:
        from screening.resume_worker.pool import warm_up

        warm_up()


def child_exit(server, worker):
    """A worker process ended: with Prometheus' multiprocess mode on, its live gauges stop counting."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
