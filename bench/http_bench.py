#!/usr/bin/env python
"""HTTP benchmark: the responses API, the dashboard's responses page and applying with a PDF, each beside its
floor on the same stack, driven by wrk; with the peak of PostgreSQL connections against the configured bound.

Loopback only, bounded in time. What one run does:

1. creates (if needed) and migrates the database, flushes the bench's Redis database, collects the static
   files into ``var/bench/static`` once (the manifest production serves; ``--static plain`` skips it), and
   seeds a fresh company, a vacancy with ``--responses`` responses (default 2,000) and a recruiter with a
   JWT (the API) and a signed-in session (the dashboard);
2. starts the server layout: by default the Procfile's ``web`` line as written there (gunicorn, worker
   processes, two per core: ``smartbot/gunicorn_config.py``; ``--web-concurrency``/``--web-threads`` set its
   ``WEB_CONCURRENCY``/``WEB_THREADS``); ``--server daphne`` one daphne serving ``smartbot.asgi:application``
   (the layout before issue 17); ``--server-cmd`` any other (e.g. uvicorn workers on ``{port}``), always on the settings
   ``bench.settings_http`` (the production settings plus the floors' URLconf, ``bench/http_floors.py``),
   DEBUG off, the API throttle and the apply limit raised out of reach (every client is one user at
   127.0.0.1; the throttle's cache round trip is still made);
3. for each target (``--targets``; each floor first, then what is compared with it): one request checked
   for a 2xx (a redirect to sign-in would measure the wrong page), ``--warmup`` seconds of load thrown
   away, then ``--clients`` keep-alive connections for ``--duration`` seconds with wrk
   (``bench/load/http_wrk.lua``: headers, cookies, the CSRF token, the multipart body with a fresh email
   per application), while ``pg_stat_activity`` is polled every 100 ms for the servers' connections;
4. prints one JSON object: per target requests/s (2xx only), latency p50/p90/p95/p99 (ms), non-2xx and
   socket errors, the servers' CPU per request, the machine's busy and steal shares (/proc/stat), load
   averages, the peak connections; each target's ratio to its floor; the connection bound
   (``DB_POOL_MAX_SIZE`` x web processes + workers, none started here) and whether the peak stayed in it;
   the issue's targets, met or not.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartbot_bench_http \\
    REDIS_URL=redis://127.0.0.1:6379/9 .venv/bin/python bench/http_bench.py

``--help`` lists the flags; docs/benchmarks.md, "HTTP: API, dashboard, apply", how to read the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path
from urllib.parse import urlsplit

sys.path[0] = str(Path(__file__).resolve().parent.parent)  # the project's root, not bench/, first

from bench.load import httpload, probes, seeding  # noqa: E402
from bench.load.http_seeding import apply_body, responses_count, resume_pdf, seed_http  # noqa: E402
from bench.load.httpload import ConnectionWatcher, Target  # noqa: E402
from bench.load.servers import BASE_DIR, LOG_DIR, ServerSet, server_env  # noqa: E402

TARGETS = ("api_floor", "api_20", "api_100", "page_floor", "page", "upload_floor", "apply")
APPLICATION_NAME = "smartbot-http-bench"  # the servers' connections in pg_stat_activity
OUT_OF_REACH = "1000000000/h"  # a rate no run reaches (the API throttle, the apply limit)
# The targets (docs/benchmarks.md): ratio to the floor, and a p95 where it names one.
GOALS = {"api_20": (0.7, 200.0), "page": (0.6, None), "apply": (0.6, None)}


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", "-c", type=int, default=50, help="concurrent keep-alive connections")
    parser.add_argument("--duration", "-d", type=float, default=15.0, help="seconds measured per target")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds of load per target before, not counted")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1, help="wrk threads")
    parser.add_argument("--timeout", type=float, default=10.0, help="wrk's per-request timeout, seconds")
    parser.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated subset of {','.join(TARGETS)}")
    parser.add_argument("--responses", type=int, default=2000, help="responses of the listed vacancy")
    parser.add_argument("--pdf-kb", type=int, default=200, help="size of the resume PDF applied with, KB")
    parser.add_argument("--port", type=int, default=9300, help="the server's port")
    parser.add_argument(
        "--server", choices=("procfile", "daphne"), default="procfile",
        help="procfile: the Procfile's web line (gunicorn); daphne: one daphne for everything (before issue 17)",
    )  # fmt: skip
    parser.add_argument("--web-concurrency", type=int, help="WEB_CONCURRENCY of the web (default: 2 per core)")
    parser.add_argument("--web-threads", type=int, help="WEB_THREADS of the Procfile's web (default 2)")
    parser.add_argument(
        "--server-cmd",
        help="start this instead; {port} is replaced, e.g. "
        "'.venv/bin/gunicorn -w 2 -k uvicorn.workers.UvicornWorker -b 127.0.0.1:{port} smartbot.asgi:application'",
    )
    parser.add_argument(
        "--web-processes", type=int,
        help="processes serving HTTP, for the connection bound (default: 1 for daphne; otherwise "
        "the children of the started process, or 1 if it has none)",
    )  # fmt: skip
    parser.add_argument(
        "--asgi-threads", type=int, default=int(os.environ.get("ASGI_THREADS", "0")),
        help="ASGI_THREADS of the servers (0: unset, asgiref's default, as the Procfile runs)",
    )  # fmt: skip
    parser.add_argument(
        "--static", choices=("collect", "plain"), default="collect",
        help="collect: collectstatic into var/bench/static once, hashed names as in production; "
        "plain: STATIC_MANIFEST=0, nothing collected",
    )  # fmt: skip
    seeding.add_service_arguments(parser, database="smartbot_bench_http")
    args = parser.parse_args(argv)
    args.targets = [t.strip() for t in args.targets.split(",") if t.strip()]
    unknown = set(args.targets) - set(TARGETS)
    if unknown:
        parser.error(f"unknown targets: {', '.join(sorted(unknown))}")
    for url in (args.database_url, args.redis_url):
        if urlsplit(url).hostname not in ("127.0.0.1", "localhost", "::1"):
            parser.error(f"loopback only: {url}")
    database = urlsplit(args.database_url).path.strip("/")
    if not database.startswith("smartbot_") or database in ("smartbot_test",):
        parser.error("the database name must start with smartbot_ and be the bench's own (it is seeded)")
    args.database = database
    return args


def servers_environment(args, *, media: Path) -> dict:
    """The servers' environment: ``server_env``'s (production settings, DEBUG off) on the bench's settings."""
    env = server_env(args) | {
        "DJANGO_SETTINGS_MODULE": "bench.settings_http",
        "DB_APPLICATION_NAME": APPLICATION_NAME,
        "API_THROTTLE_USER": OUT_OF_REACH,
        "API_THROTTLE_ANON": OUT_OF_REACH,
        "APPLY_RATE_LIMIT": OUT_OF_REACH,
        "MEDIA_ROOT": str(media),  # the uploaded resumes of this run, deleted with it
    }
    if not args.asgi_threads:
        env.pop("ASGI_THREADS", None)
    for name, value in (("WEB_CONCURRENCY", args.web_concurrency), ("WEB_THREADS", args.web_threads)):
        if value:
            env[name] = str(value)
    # The Procfile's commands by name, as a Procfile host runs them: the virtualenv's first on the PATH.
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    if args.static == "plain":
        env["STATIC_MANIFEST"] = "0"
    else:
        env["STATIC_ROOT"] = str(LOG_DIR / "static")
    return env


def server_command(args) -> str | None:
    """The command line to serve HTTP with (``{port}`` in it), or None for one daphne (``--server daphne``)."""
    if args.server_cmd:
        return args.server_cmd
    if args.server == "daphne":
        return None
    (line,) = [line for line in (BASE_DIR / "Procfile").read_text().splitlines() if line.startswith("web:")]
    command = line.split(":", 1)[1].strip()
    assert "${PORT:-8000}" in command, command
    return command.replace("${PORT:-8000}", "{port}")


def collect_static(env: dict) -> None:
    """``collectstatic`` into ``STATIC_ROOT`` unless a manifest is already there (static files rarely change
    between runs; delete ``var/bench/static`` to collect again)."""
    if (Path(env["STATIC_ROOT"]) / "staticfiles.json").exists():
        return
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=BASE_DIR, env=env,
                   check=True)  # fmt: skip


def build_targets(args, data: dict, *, body_dir: Path) -> dict[str, Target]:
    """Every target with its path, headers and body, for ``data`` from ``seed_http``."""
    api = {"Authorization": f"Bearer {data['jwt']}", "Accept": "application/json"}
    browser = {
        "Cookie": f"{data['session_cookie']}={data['session']}",
        "Accept": "text/html",
        "Accept-Language": "ru,en;q=0.8",
    }
    body, content_type = apply_body(csrf_token=data["csrf"], email="@@EMAIL@@", pdf=resume_pdf(size=args.pdf_kb * 1024))
    body_file = body_dir / "apply-body.bin"
    body_file.write_bytes(body)
    form = {
        "Cookie": f"{data['csrf_cookie']}={data['csrf']}",
        "Content-Type": content_type,
        "Accept": "text/html",
        "Accept-Language": "ru,en;q=0.8",
    }
    vacancy = data["vacancy_id"]
    apply_path = f"/careers/{data['company_slug']}/{data['vacancy_slug']}/"
    targets = [
        Target("api_floor", "/api/v1/bench-floor/responses/?page_size=20", headers=api),
        Target("api_20", f"/api/v1/responses/?vacancy={vacancy}&page_size=20", headers=api, floor="api_floor"),
        Target("api_100", f"/api/v1/responses/?vacancy={vacancy}&page_size=100", headers=api, floor="api_floor"),
        Target("page_floor", "/responses/bench-floor/", headers=browser),
        Target("page", f"/responses/?vacancy={vacancy}", headers=browser, floor="page_floor"),
        Target("upload_floor", "/careers/bench-floor/upload/", "POST", form, body_file),
        Target("apply", apply_path, "POST", form, body_file, floor="upload_floor"),
    ]
    return {target.name: target for target in targets}


def measure(args, *, target: Target, roots: list[int], tag: str, vacancy_id: int) -> dict:
    """Preflight, warm-up and the measured wrk run of one target, with what the machine spent meanwhile."""
    try:
        check = httpload.preflight(port=args.port, target=target, email=f"preflight-{tag}@bench.example.com")
    except OSError as error:
        return {"skipped": f"the preflight request failed: {error!r}"}
    if not 200 <= check["status"] < 300:
        return {"skipped": "the preflight request was not answered 2xx", "preflight": check}
    drive = {"port": args.port, "target": target, "clients": args.clients, "threads": args.threads,
             "timeout": args.timeout}  # fmt: skip
    if args.warmup > 0:
        try:
            httpload.run_wrk(**drive, duration=args.warmup, tag=f"{tag}w")
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            return {"skipped": f"wrk failed in the warm-up: {error}", "preflight": check}
    stored_before = responses_count(vacancy_id=vacancy_id) if target.name == "apply" else 0
    load_before = httpload.load_average()
    cpu_before, services_before, sys_before = (
        httpload.tree_cpu_seconds(roots), probes.service_cpu_seconds(), probes.system_cpu()
    )  # fmt: skip
    with watch(args) as watcher:
        try:
            result = httpload.run_wrk(**drive, duration=args.duration, tag=tag)
        except (RuntimeError, subprocess.TimeoutExpired) as error:
            return {"skipped": f"wrk failed: {error}", "preflight": check}
    cpu_after, services_after, sys_after = (
        httpload.tree_cpu_seconds(roots), probes.service_cpu_seconds(), probes.system_cpu()
    )  # fmt: skip
    busy, total, steal = (after - before for after, before in zip(sys_after, sys_before, strict=True))
    ok = result["requests"] - result["non2xx"]
    services = probes.service_cpu_delta(services_before, services_after)
    result.update(
        {
            "request": f"{target.method} {target.path}",
            "preflight": {k: v for k, v in check.items() if v is not None},
            "server_cpu_ms_per_request": round(1000 * (cpu_after - cpu_before) / ok, 2) if ok else None,
            "wrk_cpu_ms_per_request": round(1000 * result.pop("wrk_cpu_s") / ok, 2) if ok else None,
            "postgres_cpu_ms_per_request": round(1000 * services["postgres"] / ok, 2) if ok else None,
            "machine_busy_pct": round(100 * busy / total, 1) if total else None,
            "machine_steal_pct": round(100 * steal / total, 1) if total else None,
            "load_average_before": load_before,
            "load_average_after": httpload.load_average(),
            "db_connections": watcher.result() | {"after": watcher.now()},
            "server_rss_mb": httpload.tree_rss_mb(roots),
        }
    )
    if target.name == "apply":
        # Every 2xx must be one stored application (one email per request): a form error is a 400.
        result["applications_stored"] = responses_count(vacancy_id=vacancy_id) - stored_before
    return result


def watch(args) -> ConnectionWatcher:
    """A watcher of the servers' connections to the bench's database (enter it to start polling)."""
    return ConnectionWatcher(database_url=args.database_url, database=args.database, application_name=APPLICATION_NAME)


def connection_bound(*, web_processes: int, peak: int) -> dict:
    """The configured bound on the servers' PostgreSQL connections and whether ``peak`` stayed within it."""
    from django.conf import settings

    pool = settings.DATABASES["default"].get("OPTIONS", {}).get("pool")
    if not pool:
        return {"pool": None, "web_processes": web_processes, "bound": None, "peak": peak, "within_bound": None,
                "note": "DB_POOL is off: one connection per thread, no bound"}  # fmt: skip
    max_size = pool.get("max_size") if isinstance(pool, dict) else None
    bound = max_size * web_processes if max_size else None
    return {
        "db_pool_max_size": max_size,
        "web_processes": web_processes,
        "workers": 0,  # the bench starts no Celery worker; production adds worker processes x 1 (DB_POOL=0)
        "bound": bound,
        "peak": peak,
        "within_bound": peak <= bound if bound else None,
    }


def goals(results: dict) -> dict:
    """The issue's targets, each with the figure measured and whether it is met (None: not measured)."""
    verdict = {}
    for name, (ratio, p95) in GOALS.items():
        row = results.get(name, {})
        measured = row.get("ratio_to_floor")
        met = None
        if measured is not None:
            met = measured >= ratio and row["errors"] == 0
            if p95 is not None:
                met = met and row["latency_ms"]["p95"] < p95
        verdict[name] = {"ratio_at_least": ratio, "p95_ms_below": p95, "ratio": measured,
                         "p95_ms": row.get("latency_ms", {}).get("p95"), "met": met}  # fmt: skip
    return verdict


def main(argv=None) -> int:
    """Run the targets asked for and print the JSON report; 0 once it is printed."""
    args = parse_args(argv)
    httpload.wrk_binary()
    os.environ.setdefault("JWT_ACCESS_MINUTES", "600")  # the bench's token outlives any run
    run = uuid.uuid4().hex[:8]
    work = LOG_DIR / f"http-{run}"
    media = work / "media"
    media.mkdir(parents=True, exist_ok=True)
    env = servers_environment(args, media=media)
    report: dict = {"machine": probes.machine()}
    report["config"] = {
        "clients": args.clients, "duration_s": args.duration, "warmup_s": args.warmup, "wrk_threads": args.threads,
        "wrk_timeout_s": args.timeout, "responses": args.responses, "pdf_kb": args.pdf_kb,
        "server": server_command(args) or "daphne smartbot.asgi:application (one process)",
        "web_concurrency": args.web_concurrency or "default (2 per core)",
        "web_threads": args.web_threads or "default (2)",
        "asgi_threads": args.asgi_threads or "asgiref default", "static": args.static, "targets": args.targets,
    }  # fmt: skip
    # server_env always names ASGI_THREADS, and daphne (an installed app) refuses 0 even in manage.py migrate.
    seeding.prepare_database(argparse.Namespace(**vars(args) | {"asgi_threads": args.asgi_threads or 4}))
    if args.static == "collect":
        collect_static(env)
    seeding.setup_django(args)
    from django.conf import settings
    from django.db import connections

    report["config"]["database"] = {
        "CONN_MAX_AGE": settings.DATABASES["default"].get("CONN_MAX_AGE"),
        "pool": settings.DATABASES["default"].get("OPTIONS", {}).get("pool"),
    }
    data = seed_http(responses=args.responses)
    connections.close_all()
    report["seeded"] = {"responses": data["responses"], "vacancy_id": data["vacancy_id"]}
    targets = build_targets(args, data, body_dir=work)
    if command := server_command(args):
        server = httpload.CommandServer(command=command, port=args.port, env=env, cwd=BASE_DIR).start()
    else:
        server = ServerSet(app="smartbot.asgi:application", count=1, first_port=args.port, env=env,
                           name="http").start()  # fmt: skip
    results: dict = {}
    try:
        roots = [process.pid for process in server.processes]
        counted = httpload.worker_count(roots) if command else 0  # the workers of a master, before any load
        web_processes = args.web_processes or (counted if command and counted else 1)
        # The whole run's peak too: preflights and warm-ups open connections as well.
        with watch(args) as whole:
            for name in args.targets:
                results[name] = measure(args, target=targets[name], roots=roots, tag=f"{run}-{name}",
                                        vacancy_id=data["vacancy_id"])  # fmt: skip
                time.sleep(1)  # let the last requests' threads and connections settle between targets
    finally:
        server.stop()
    for name, row in results.items():
        floor = results.get(targets[name].floor or "", {})
        if floor.get("ok_per_second") and "ok_per_second" in row:
            row["floor"] = targets[name].floor
            row["ratio_to_floor"] = round(row["ok_per_second"] / floor["ok_per_second"], 3)
    report["results"] = results
    report["db_connections"] = connection_bound(web_processes=web_processes, peak=whole.peak_servers) | {
        "peak_all_connections_to_the_database": whole.peak_all,
        "watcher_error": whole.error,
    }
    report["targets"] = goals(results)
    report["load_average_at_end"] = httpload.load_average()
    report["logs"] = str(LOG_DIR)
    print(json.dumps(report, indent=2))
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
