"""The chat benchmark's parts (``bench/chat_load.py`` runs them; docs/benchmarks.md says how).

- ``client``: the load generator (simulated candidates over WebSockets), run in separate processes; no Django.
- ``servers``: the daphne processes under test and their environment.
- ``probes``: CPU and memory of the servers, PostgreSQL, Redis and the machine (psutil).
- ``seeding``: the bench database (created, migrated), Redis flushed, companies and responses in bulk.
- ``dbcheck``: what the clients saw acknowledged against what the database holds.
- ``report``: percentiles, per-answer costs, the phases' summaries and the targets.
- ``durable``: the durable-turn floor's (``bench/durable_asgi.py``) bench-only tables, seeding and check.
- ``idle``: the idle-memory phase (RSS of one server per 1,000 idle sockets, and after they close).
- ``hog``: a CPU hog at a fixed duty cycle for the think phase (``--hog``), its share measured.
"""
