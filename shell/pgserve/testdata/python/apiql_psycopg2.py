"""Drives apiql serve with psycopg2 (libpq underneath) and, when present,
SQLAlchemy's inspector: the way Python scripts and notebooks reach it.
Prints one line per check ("ok <name> <detail>"); exits 1 at the first
failure ("FAIL <name>: <why>"). Usage: PGPASSWORD=... python3 apiql_psycopg2.py DSN"""
import sys

import psycopg2
import psycopg2.errorcodes
import psycopg2.extras


def fail(name, why):
    print("FAIL %s: %s" % (name, why))
    sys.exit(1)


def ok(name, detail=""):
    print("ok %s %s" % (name, detail))
    sys.stdout.flush()


dsn = sys.argv[1]  # the password comes from PGPASSWORD
conn = psycopg2.connect(dsn)
ok("connect", "server_version=%d" % conn.server_version)

cur = conn.cursor()
cur.execute("SELECT count(*) FROM digitalocean_images.images")
(n,) = cur.fetchone()
if not isinstance(n, int) or n <= 0:
    fail("count", repr(n))
ok("count", "%d %s" % (n, cur.description[0].name))

# %s parameters: psycopg2 interpolates them client-side (simple protocol).
cur.execute(
    "SELECT id, name, size_gigabytes, public FROM digitalocean_images.images"
    " WHERE type = %s AND min_disk_size >= %s AND name <> %s ORDER BY id",
    ("snapshot", 0, "it's"),
)
rows = cur.fetchall()
if not rows:
    fail("params", "no rows")
for r in rows:
    if not (isinstance(r[0], int) and isinstance(r[1], str) and isinstance(r[2], float) and isinstance(r[3], bool)):
        fail("params", "types of %r" % (r,))
ok("params", "%d rows" % len(rows))

# json columns arrive as Python lists and dicts.
cur.execute("SELECT regions FROM digitalocean_images.images ORDER BY id LIMIT 1")
(regions,) = cur.fetchone()
if not isinstance(regions, list):
    fail("json", repr(regions))
ok("json", type(regions).__name__)

# fetchmany.
cur.execute("SELECT id FROM digitalocean_images.images ORDER BY id")
got = 0
while True:
    batch = cur.fetchmany(7)
    if not batch:
        break
    got += len(batch)
if got != n:
    fail("fetchmany", "%d of %d" % (got, n))
ok("fetchmany", str(got))

# A named (server-side) cursor: DECLARE ... CURSOR and FETCH FORWARD.
named = conn.cursor(name="apiql_cur")
named.itersize = 5
try:
    named.execute("SELECT id, name FROM digitalocean_images.images ORDER BY id")
    first = named.fetchmany(3)
    rest = named.fetchall()
    named.close()
    if len(first) + len(rest) != n:
        fail("named cursor", "%d+%d of %d" % (len(first), len(rest), n))
    ok("named cursor", "%d rows" % (len(first) + len(rest)))
except psycopg2.Error as e:
    fail("named cursor", "%s (pgcode %s)" % (str(e).strip(), e.pgcode))
conn.rollback()

# Errors carry their SQLSTATE; the connection stays usable after a rollback.
try:
    cur.execute("SELECT nmae FROM digitalocean_images.images")
    fail("error", "no error")
except psycopg2.Error as e:
    if e.pgcode != psycopg2.errorcodes.UNDEFINED_COLUMN:
        fail("error", "pgcode %s: %s" % (e.pgcode, e))
    if "nmae" not in e.pgerror:
        fail("error", e.pgerror)
    ok("error", e.pgcode)
conn.rollback()
cur.execute("SELECT 1")
if cur.fetchone() != (1,):
    fail("after error", "")

# A dict cursor reads columns by name.
dc = conn.cursor(cursor_factory=psycopg2.extras.RealDictCursor)
dc.execute("SELECT slug, available FROM digitalocean_regions.regions ORDER BY slug LIMIT 2")
r = dc.fetchall()
if len(r) != 2 or "slug" not in r[0]:
    fail("dict cursor", repr(r))
ok("dict cursor", ",".join(sorted(r[0].keys())))
conn.rollback()

conn.autocommit = True
cur = conn.cursor()
cur.execute("SHOW server_version")
ok("server_version", cur.fetchone()[0])
conn.close()

try:
    import sqlalchemy
except ImportError:
    ok("sqlalchemy", "not installed")
    print("done")
    sys.exit(0)

engine = sqlalchemy.create_engine("postgresql+psycopg2://", creator=lambda: psycopg2.connect(dsn))
insp = sqlalchemy.inspect(engine)
schemas = insp.get_schema_names()
if "digitalocean_images" not in schemas:
    fail("sqlalchemy schemas", repr(schemas))
ok("sqlalchemy schemas", "%d" % len(schemas))
tables = insp.get_table_names(schema="digitalocean_images")
if "images" not in tables:
    fail("sqlalchemy tables", repr(tables))
ok("sqlalchemy tables", ",".join(tables))
cols = {c["name"]: type(c["type"]).__name__ for c in insp.get_columns("images", schema="digitalocean_images")}
want = {"id": "BIGINT", "name": "TEXT", "size_gigabytes": "DOUBLE_PRECISION", "public": "BOOLEAN", "regions": "JSON"}
for k, v in want.items():
    if cols.get(k) != v:
        fail("sqlalchemy columns", "%s: %s" % (k, cols.get(k)))
ok("sqlalchemy columns", " ".join("%s=%s" % (k, cols[k]) for k in want))
for call in ("get_pk_constraint", "get_foreign_keys", "get_indexes", "get_unique_constraints"):
    try:
        getattr(insp, call)("images", schema="digitalocean_images")
        ok("sqlalchemy " + call)
    except Exception as e:
        fail("sqlalchemy " + call, str(e).strip())
with engine.connect() as c:
    n2 = c.execute(sqlalchemy.text("SELECT count(*) AS n FROM digitalocean_images.images WHERE type = :t"), {"t": "snapshot"}).scalar()
    ok("sqlalchemy query", str(n2))
print("done")
