"""Drives one small CQL session through the capture proxy, for
testdata/capture/. The Python driver (pip install cassandra-driver lz4, in a
venv) is only a test witness: it produces real traffic, nothing depends on it.

    python capture-session.py PORT PROTOCOL_VERSION|auto COMPRESSION(none|lz4|snappy)

The session: startup (OPTIONS, STARTUP, REGISTER, system.local/peers reads of
the control connection), a QUERY of system.local, schema changes, a PREPARE
and EXECUTE of an INSERT and of a SELECT, and a paged SELECT.
"""
import sys

from cassandra.cluster import Cluster
from cassandra.policies import WhiteListRoundRobinPolicy
from cassandra.query import SimpleStatement

port, proto, comp = int(sys.argv[1]), sys.argv[2], sys.argv[3]
compression = {"none": False, "lz4": "lz4", "snappy": "snappy"}[comp]
# "auto" lets the driver negotiate: it starts at its newest version and
# downgrades on the server's protocol error (recorded for 2.1).
versions = {} if proto == "auto" else {"protocol_version": int(proto)}
cluster = Cluster(
    ["127.0.0.1"],
    port=port,
    **versions,
    compression=compression,
    load_balancing_policy=WhiteListRoundRobinPolicy(["127.0.0.1"]),
    schema_metadata_enabled=False,
    token_metadata_enabled=False,
    connect_timeout=20,
    control_connection_timeout=20,
)
session = cluster.connect()
session.default_timeout = 30
print(session.execute("SELECT release_version FROM system.local").one())
session.execute(
    "CREATE KEYSPACE IF NOT EXISTS capture WITH replication = "
    "{'class': 'SimpleStrategy', 'replication_factor': 1}"
)
session.execute("CREATE TABLE IF NOT EXISTS capture.kv (k int PRIMARY KEY, v text)")
ins = session.prepare("INSERT INTO capture.kv (k, v) VALUES (?, ?)")
for k in range(5):
    session.execute(ins, (k, "value %d" % k))
sel = session.prepare("SELECT k, v FROM capture.kv WHERE k = ?")
print(session.execute(sel, (1,)).one())
rows = list(session.execute(SimpleStatement("SELECT k, v FROM capture.kv", fetch_size=2)))
print(len(rows), "rows")
cluster.shutdown()
