"""Search (docs/search.md): the pg_trgm extension and the GIN indexes its queries use; nothing on SQLite.

Hand-written: the indexes are on expressions that ``screening.services.search`` builds (``text_vector``: the
function ``screening_search_vector`` below; the trigram operators on bare columns), not fields of a model, so
they live in the database only and the models' state does not change. ``IF NOT EXISTS``: on a large table an
operator can build them first with ``CREATE INDEX CONCURRENTLY`` under the same names (docs/search.md), and
this migration then only records them.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# The text's full-text vector under the Russian and the English configurations. A function, not an inline
# expression, for its declared cost: the planner prices to_tsvector() far below what parsing and stemming a
# resume takes, and for a common word chose a sequential scan that parsed every row (2 s at 2,000 applications)
# over the GIN index (30 ms). COST 1000 makes the index the cheaper plan at any share of matching rows; a
# higher cost pushed plans over jit_inline_above_cost, and JIT compiling took 3 s. PL/pgSQL, so it is never
# inlined (an inlined function loses its cost); IMMUTABLE, as an index expression must be.
SEARCH_VECTOR_FUNCTION = """
CREATE OR REPLACE FUNCTION screening_search_vector(body text) RETURNS tsvector
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE COST 1000 AS $$
BEGIN
    RETURN to_tsvector('russian'::regconfig, COALESCE(body, ''))
        || to_tsvector('english'::regconfig, COALESCE(body, ''));
END
$$
"""

# (name, table, "USING ..." definition)
INDEXES = [
    ("screening_response_name_trgm", "screening_response", "USING gin (full_name gin_trgm_ops)"),
    ("screening_response_email_trgm", "screening_response", "USING gin (email gin_trgm_ops)"),
    ("screening_response_city_trgm", "screening_response", "USING gin (city gin_trgm_ops)"),
    ("screening_response_phone_trgm", "screening_response", "USING gin (phone_e164 gin_trgm_ops)"),
    (
        "screening_response_resume_fts",
        "screening_response",
        "USING gin (screening_search_vector(resume_text))",
    ),
    ("screening_answer_raw_text_fts", "screening_answer", "USING gin (screening_search_vector(raw_text))"),
]


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SEARCH_VECTOR_FUNCTION)
    for name, table, definition in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" {definition}')


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _definition in INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
    schema_editor.execute("DROP FUNCTION IF EXISTS screening_search_vector(text)")


class Migration(migrations.Migration):
    dependencies = [("screening", "0014_pipeline")]

    operations = [
        TrigramExtension(),  # a no-op on other databases
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
