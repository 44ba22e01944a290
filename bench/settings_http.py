"""Settings of the HTTP bench's servers (``bench/http_bench.py``): the production settings, with the floors'
URLconf (``bench.http_floors``: the project's URLs plus three trivial views) in front. Nothing else differs."""

from smartbot.settings import *  # noqa: F403

ROOT_URLCONF = "bench.http_floors"
