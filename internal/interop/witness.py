"""Interop witness for interop_integration_test.go: the Python driver
(PyPI cassandra-driver, installed by scripts/python-witness.sh) reads what
the Go driver wrote and writes rows for the Go driver to read. It is test
tooling only; the driver is Go.

    python witness.py read  KEYSPACE TABLE RUN WRITER
    python witness.py write KEYSPACE TABLE RUN WRITER COLUMN...
    python witness.py count KEYSPACE TABLE RUN WRITER DELTA
    python witness.py ddl STATEMENT...

The table has the primary key (run text, writer text, id int). `read`
prints every row of the partition (run, writer); `write` inserts this
script's own rows (ids 1, 2, 3; row 3 all null) into the partition, binding
only the named columns, and prints what it wrote. `count` adds DELTA to the
counter column n of a counter table keyed by (run, writer) and prints its
value. `ddl` runs each statement in turn (schema changes made by another
client, for the metadata tests) and prints no rows. Output is one JSON
object on stdout:

    {"protocol": 5, "rows": [{"id": 1, "values": {"c_int": -42, ...}}, ...]}

Values are in a canonical textual form per CQL type, the same the Go test
produces from its own values:

    ascii, text, varchar        string
    tinyint .. bigint, counter  integer
    varint                      decimal string
    decimal                     "UNSCALEDEexp" with exp = -scale, e.g. "-123456789E-4"
    float, double               "%.17g" of the (float32-rounded) value; "NaN", "Infinity", "-Infinity"
    boolean                     true / false
    blob                        lower-case hex
    uuid, timeuuid, inet        string
    timestamp                   milliseconds since the epoch
    date                        days since 1970-01-01
    time                        nanoseconds since midnight
    duration                    [months, days, nanoseconds]
    list, vector, tuple         list
    set                         sorted list
    map                         list of [key, value] pairs sorted by key
    user-defined type           object of every field
    null                        null

Connection settings come from the same variables as the Go tests:
CASSANDRA_HOSTS (host or host:port, comma separated), CASSANDRA_USERNAME,
CASSANDRA_PASSWORD, CASSANDRA_TLS_CA (the CA's PEM; the server's name is
then checked), CASSANDRA_TLS_SERVER_NAME and CASSANDRA_PROTOCOL (a forced
protocol version; v3 when CASSANDRA_VERSION is 2.1). Statements run at
QUORUM.
"""
import calendar
import collections
import datetime
import decimal
import json
import math
import os
import ssl
import struct
import sys
import uuid
import warnings

warnings.simplefilter("ignore", DeprecationWarning)  # asyncore on 3.11

from cassandra import ConsistencyLevel, cqltypes, util  # noqa: E402
from cassandra.auth import PlainTextAuthProvider  # noqa: E402
from cassandra.cluster import EXEC_PROFILE_DEFAULT, Cluster, ExecutionProfile  # noqa: E402
from cassandra.policies import RoundRobinPolicy  # noqa: E402
from cassandra.query import tuple_factory  # noqa: E402

EPOCH = datetime.datetime(1970, 1, 1)
EPOCH_TZ = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
EPOCH_DATE = datetime.date(1970, 1, 1)


# ------------------------------------------------------------- canonical form


def canon_float(v, single):
    if single:
        v = struct.unpack(">f", struct.pack(">f", v))[0]
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    return "%.17g" % v


def canon_timestamp(v):
    if isinstance(v, int):
        return v
    if v.tzinfo is not None:
        td = v - EPOCH_TZ
    else:
        td = v - EPOCH
    # The driver decodes through a float of seconds: round to the millisecond.
    return (td.days * 86400 + td.seconds) * 1000 + int(round(td.microseconds / 1000.0))


def canon_date(v):
    if isinstance(v, int):
        return v
    if hasattr(v, "days_from_epoch"):
        return v.days_from_epoch
    return (v - EPOCH_DATE).days


def canon_time(v):
    if isinstance(v, int):
        return v
    if hasattr(v, "nanosecond_time"):
        return v.nanosecond_time
    return ((v.hour * 60 + v.minute) * 60 + v.second) * 10**9 + v.microsecond * 1000


def canon_decimal(v):
    sign, digits, exp = v.as_tuple()
    unscaled = int("".join(map(str, digits)) or "0")
    if sign:
        unscaled = -unscaled
    return "%dE%d" % (unscaled, exp)


def sort_key(v):
    return json.dumps(v, sort_keys=True)


def canon(t, v):
    """The canonical form of value v of the cqltypes class t."""
    if v is None:
        return None
    # Order matters: subclasses before their bases.
    if issubclass(t, cqltypes.UserType):
        if isinstance(v, tuple) and not hasattr(v, "_fields"):  # a plain tuple binds by position
            items = list(v) + [None] * (len(t.fieldnames) - len(v))
        else:
            items = [getattr(v, name, None) for name in t.fieldnames]
        return {name: canon(sub, x) for name, sub, x in zip(t.fieldnames, t.subtypes, items)}
    if issubclass(t, cqltypes.TupleType):
        return [canon(sub, x) for sub, x in zip(t.subtypes, v)]
    if issubclass(t, cqltypes.VectorType):
        return [canon(t.subtype, x) for x in v]
    if issubclass(t, cqltypes.MapType):
        kt, vt = t.subtypes
        return sorted(([canon(kt, k), canon(vt, x)] for k, x in v.items()), key=lambda p: sort_key(p[0]))
    if issubclass(t, cqltypes.SetType):
        return sorted((canon(t.subtypes[0], x) for x in v), key=sort_key)
    if issubclass(t, cqltypes.ListType):
        return [canon(t.subtypes[0], x) for x in v]
    if issubclass(t, (cqltypes.AsciiType, cqltypes.UTF8Type)):
        return v
    if issubclass(t, cqltypes.BytesType):
        return bytes(v).hex()
    if issubclass(t, cqltypes.BooleanType):
        return bool(v)
    if issubclass(t, cqltypes.IntegerType):
        return str(int(v))
    if issubclass(t, (cqltypes.LongType, cqltypes.Int32Type, cqltypes.ShortType, cqltypes.ByteType)):
        return int(v)
    if issubclass(t, cqltypes.DecimalType):
        return canon_decimal(v)
    if issubclass(t, cqltypes.FloatType):
        return canon_float(v, True)
    if issubclass(t, cqltypes.DoubleType):
        return canon_float(v, False)
    if issubclass(t, cqltypes.UUIDType) or issubclass(t, cqltypes.TimeUUIDType):  # TimeUUIDType is a DateType
        return str(v)
    if issubclass(t, cqltypes.DateType):  # timestamp
        return canon_timestamp(v)
    if issubclass(t, cqltypes.SimpleDateType):
        return canon_date(v)
    if issubclass(t, cqltypes.TimeType):
        return canon_time(v)
    if issubclass(t, cqltypes.DurationType):
        return [v.months, v.days, v.nanoseconds]
    if issubclass(t, cqltypes.InetAddressType):
        return str(v)
    raise TypeError("witness: no canonical form for %s" % t.cass_parameterized_type())


# ------------------------------------------------------------- our own rows

Point = collections.namedtuple("Point", "x y label")

# Three rows per column: typical, edges, null. Keys are the Go test's column
# names; a column the server lacks is simply not asked for.
I64_MIN, I64_MAX = -(2**63), 2**63 - 1
VALUES = {
    "c_ascii": ["python ascii", "~" * 3 + "\x01", None],
    "c_bigint": [-98765432101, I64_MAX, None],
    "c_blob": [b"\xde\xad\xbe\xef", b"", None],
    "c_boolean": [False, True, None],
    "c_date": [datetime.date(1955, 11, 5), util.Date(2**31 - 1), None],
    "c_decimal": [decimal.Decimal("-0.000123"), decimal.Decimal("1E+3"), None],
    "c_double": [-2.718281828459045, float("-inf"), None],
    "c_duration": [util.Duration(-14, -3, -1), util.Duration(0, 0, 2**63 - 1), None],
    "c_float": [0.1, -0.0, None],
    "c_inet": ["2001:db8::ff00:42:8329", "127.0.0.1", None],
    "c_int": [2**31 - 1, -(2**31), None],
    "c_smallint": [-(2**15), 2**15 - 1, None],
    "c_text": ["Grüße, 世界 🦫", "", None],
    "c_time": [util.Time(86399999999999), util.Time(1), None],
    "c_timestamp": [
        datetime.datetime(1969, 12, 31, 23, 59, 59, 999000),
        datetime.datetime(2038, 1, 19, 5, 14, 8, 1000, tzinfo=datetime.timezone(datetime.timedelta(hours=2))),
        None,
    ],
    "c_timeuuid": [uuid.UUID("d2177dd0-eaa2-11de-a572-001b779c76e3"), uuid.uuid1(), None],
    "c_tinyint": [-128, 127, None],
    "c_uuid": [uuid.UUID("12345678-1234-5678-1234-567812345678"), uuid.UUID(int=0), None],
    "c_varchar": ["varchar ñ", "tab\tquote\"back\\slash nul\x00", None],
    "c_varint": [-(2**70) - 1, 10**40, None],
    "c_varints": [[0, 1, -1, 127, 128, -128, -129, 255, 256, -256, -257, I64_MAX, I64_MAX + 1, I64_MIN, I64_MIN - 1, 2**64, -(2**64)], [-(2**200)], None],
    "c_decimals": [
        [decimal.Decimal(x) for x in ("0", "0.00000", "-0.1", "128", "-1.29", "2.55E+4", "-9.223372036854775808", "1E-2147483647")],
        [decimal.Decimal("-0")],
        None,
    ],
    "c_list": [[-1, 0, 1, I64_MIN >> 32], [2**31 - 1], None],
    "c_set": [{"py", "thon", "ü"}, {""}, None],
    "c_map": [{"neg": I64_MIN, "pos": I64_MAX}, {"ü": 0}, None],
    "c_frozen_list": [[{7: "seven"}, {}], [], None],
    "c_nested": [{-1: {3, 1, 2}}, {0: set()}, None],
    "c_tuple": [(-5, "py", False, b"\x00"), (None, "", None, b""), None],
    "c_udt": [(0.25, -8.5, "py point"), Point(float("nan"), 1e308, None), None],
    "c_vector": [[0.5, -1.5, 3.0], [-0.0, 1e-45, 3.4028234663852886e38], None],
    "c_vector_bigint": [[I64_MAX, I64_MIN], [1, -1], None],
    "c_vector_text": [["py", "vec"], ["", "ü"], None],
}


# ------------------------------------------------------------- connection


def connect():
    hosts, port = [], 9042
    for h in os.environ.get("CASSANDRA_HOSTS", "").split(","):
        h = h.strip()
        if not h:
            continue
        if h.count(":") == 1:
            h, p = h.split(":")
            port = int(p)
        elif h.startswith("[") and "]:" in h:
            h, p = h[1:].split("]:")
            port = int(p)
        hosts.append(h)
    if not hosts:
        sys.exit("witness: CASSANDRA_HOSTS is not set")
    kw = {}
    if os.environ.get("CASSANDRA_USERNAME"):
        kw["auth_provider"] = PlainTextAuthProvider(
            username=os.environ["CASSANDRA_USERNAME"], password=os.environ.get("CASSANDRA_PASSWORD", "")
        )
    ca = os.environ.get("CASSANDRA_TLS_CA")
    if ca:
        ctx = ssl.create_default_context(ssl.Purpose.SERVER_AUTH, cafile=ca)
        ctx.check_hostname = True
        ctx.verify_mode = ssl.CERT_REQUIRED
        kw["ssl_context"] = ctx
        name = os.environ.get("CASSANDRA_TLS_SERVER_NAME")
        if name:
            kw["ssl_options"] = {"server_hostname": name}
    if os.environ.get("CASSANDRA_PROTOCOL"):
        kw["protocol_version"] = int(os.environ["CASSANDRA_PROTOCOL"])
    elif os.environ.get("CASSANDRA_VERSION", "").startswith("2.1"):
        # 2.1.0 answers the driver's first (DSE) version with a server error,
        # not the protocol error the driver downgrades on: ask for v3.
        kw["protocol_version"] = 3
    profile = ExecutionProfile(
        consistency_level=ConsistencyLevel.QUORUM,
        request_timeout=30,
        row_factory=tuple_factory,
        load_balancing_policy=RoundRobinPolicy(),
    )
    cluster = Cluster(
        contact_points=hosts,
        port=port,
        execution_profiles={EXEC_PROFILE_DEFAULT: profile},
        schema_metadata_enabled=False,
        token_metadata_enabled=False,
        connect_timeout=20,
        control_connection_timeout=20,
        **kw,
    )
    return cluster, cluster.connect()


def ddl(statements):
    cluster, session = connect()
    try:
        for q in statements:
            session.execute(q)
        json.dump({"protocol": cluster.protocol_version, "rows": []}, sys.stdout)
        sys.stdout.write("\n")
    finally:
        cluster.shutdown()


def main(argv):
    if len(argv) >= 3 and argv[1] == "ddl":
        return ddl(argv[2:])
    if len(argv) < 6 or argv[1] not in ("read", "write", "count"):
        sys.exit(__doc__)
    cmd, ks, table, run, writer = argv[1:6]
    cluster, session = connect()
    try:
        out = {"protocol": cluster.protocol_version, "rows": []}
        where = " WHERE run = ? AND writer = ?"
        if cmd == "read":
            rs = session.execute(session.prepare("SELECT * FROM %s.%s%s" % (ks, table, where)), (run, writer))
            names, types = rs.column_names, rs.column_types
            for row in rs:
                values = {n: canon(t, v) for n, t, v in zip(names, types, row) if n not in ("run", "writer", "id")}
                out["rows"].append({"id": row[names.index("id")] if "id" in names else 0, "values": values})
        elif cmd == "write":
            cols = argv[6:]
            unknown = [c for c in cols if c not in VALUES]
            if unknown:
                sys.exit("witness: no values for columns %s" % unknown)
            ins = session.prepare(
                "INSERT INTO %s.%s (run, writer, id, %s) VALUES (?, ?, ?, %s)"
                % (ks, table, ", ".join(cols), ", ".join("?" * len(cols)))
            )
            types = [c.type for c in ins.column_metadata[3:]]
            for i in range(3):
                vals = [VALUES[c][i] for c in cols]
                session.execute(ins, [run, writer, i + 1] + vals)
                out["rows"].append({"id": i + 1, "values": {c: canon(t, v) for c, t, v in zip(cols, types, vals)}})
        else:
            delta = int(argv[6])
            session.execute(
                session.prepare("UPDATE %s.%s SET n = n + ?%s" % (ks, table, where)), (delta, run, writer)
            )
            rows = []
            for r in session.execute(session.prepare("SELECT writer, n FROM %s.%s%s" % (ks, table, where)), (run, writer)):
                rows.append({"id": 0, "values": {"n": r[1]}})
            out["rows"] = rows
        json.dump(out, sys.stdout, ensure_ascii=False, sort_keys=True)
        sys.stdout.write("\n")
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    main(sys.argv)
