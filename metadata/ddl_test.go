package metadata_test

import (
	"strconv"
	"strings"

	"github.com/cqlgo/cassandra/metadata"
)

// testSchemaDDL returns the statements that create the test schema in
// keyspace ks: every CQL type the server has, user types (nested, one used
// by a table, one with a quoted name), clustering order DESC, static
// columns, a counter table, a table with options, secondary indexes, a
// dropped column, and from 3.0 on materialized views, functions and an
// aggregate. 2.1.0 has neither frozen collections nor functions, nor a
// custom index class to use.
func testSchemaDDL(v metadata.SchemaVersion, ks string, rf int) []string {
	src := ddl50
	if v < metadata.Schema30 {
		src = ddl21
	}
	src = strings.ReplaceAll(src, "%ks%", ks)
	src = strings.ReplaceAll(src, "%rf%", strconv.Itoa(rf))
	var out []string
	for _, s := range strings.Split(src, "\n\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

const ddl50 = `
CREATE KEYSPACE %ks% WITH replication = {'class': 'SimpleStrategy', 'replication_factor': %rf%} AND durable_writes = true

CREATE TYPE %ks%.address (street text, zip int, "Geo" frozen<tuple<double, double>>)

CREATE TYPE %ks%.person (name text, addresses list<frozen<address>>, home frozen<address>, tags set<text>)

CREATE TYPE %ks%."Quoted Type" (a int, "B" text)

CREATE TYPE %ks%.point (x int, y int)

CREATE TABLE %ks%.all_types (k int PRIMARY KEY, a ascii, b bigint, bl blob, bo boolean, d decimal,
  db double, f float, i inet, t text, ts timestamp, tu timeuuid, u uuid, vc varchar, vi varint,
  dt date, tm time, si smallint, ti tinyint, du duration, l list<int>, s set<text>,
  m map<text, frozen<list<int>>>, fl frozen<list<int>>, fs frozen<set<uuid>>, fm frozen<map<int, text>>,
  tup tuple<int, text, frozen<list<int>>>, vec vector<float, 3>, veci vector<int, 2>, pt point,
  fp frozen<person>, q frozen<"Quoted Type">, "CamelCol" int, "select" text,
  nested map<text, frozen<map<int, frozen<set<text>>>>>, cust 'org.apache.cassandra.db.marshal.LexicalUUIDType')

CREATE TABLE %ks%.events (tenant text, bucket int, at timestamp, id timeuuid, payload text,
  owner text static, PRIMARY KEY ((tenant, bucket), at, id))
  WITH CLUSTERING ORDER BY (at DESC, id ASC) AND comment = 'it''s "events"' AND default_time_to_live = 3600
  AND gc_grace_seconds = 7200 AND compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '80'}
  AND compression = {'class': 'ZstdCompressor', 'chunk_length_in_kb': '32'}
  AND caching = {'keys': 'NONE', 'rows_per_partition': '10'} AND bloom_filter_fp_chance = 0.05
  AND speculative_retry = '50ms'

CREATE TABLE %ks%.counters (k text, c int, hits counter, misses counter, PRIMARY KEY (k, c))
  WITH CLUSTERING ORDER BY (c DESC)

CREATE TABLE %ks%.users (id uuid PRIMARY KEY, email text, name text, age int)

CREATE TABLE %ks%."MixedCase" ("Key" text, "Sort" int, "select" int, PRIMARY KEY ("Key", "Sort"))

CREATE TABLE %ks%.dropped (k int PRIMARY KEY, gone text, kept int)

ALTER TABLE %ks%.dropped DROP gone

CREATE INDEX events_payload ON %ks%.events (payload)

CREATE INDEX ON %ks%.all_types (keys(m))

CREATE INDEX ON %ks%.all_types (full(fl))

CREATE INDEX ON %ks%.all_types ("CamelCol")

CREATE CUSTOM INDEX all_types_t_sai ON %ks%.all_types (t) USING 'StorageAttachedIndex'
  WITH OPTIONS = {'case_sensitive': 'false'}

CREATE MATERIALIZED VIEW %ks%.users_by_email AS SELECT id, email, name FROM %ks%.users
  WHERE email IS NOT NULL AND id IS NOT NULL PRIMARY KEY (email, id)
  WITH CLUSTERING ORDER BY (id DESC) AND comment = 'by email'

CREATE MATERIALIZED VIEW %ks%.users_by_age AS SELECT * FROM %ks%.users
  WHERE age IS NOT NULL AND id IS NOT NULL PRIMARY KEY (age, id)

CREATE FUNCTION %ks%.add_state(state tuple<int, bigint>, val int) CALLED ON NULL INPUT
  RETURNS tuple<int, bigint> LANGUAGE java
  AS $$ if (val == null) return state; state.setInt(0, state.getInt(0) + 1); state.setLong(1, state.getLong(1) + val); return state; $$

CREATE FUNCTION %ks%.avg_final(state tuple<int, bigint>) RETURNS NULL ON NULL INPUT RETURNS double
  LANGUAGE java AS 'if (state.getInt(0) == 0) return Double.valueOf(0); double r = state.getLong(1); r /= state.getInt(0); return Double.valueOf(r);'

CREATE AGGREGATE %ks%.my_avg(int) SFUNC add_state STYPE tuple<int, bigint> FINALFUNC avg_final INITCOND (0, 0)

CREATE FUNCTION %ks%."Over"(a int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS 'return a;'

CREATE FUNCTION %ks%."Over"(a text, p person) RETURNS NULL ON NULL INPUT RETURNS text LANGUAGE java AS 'return a;'
`

const ddl21 = `
CREATE KEYSPACE %ks% WITH replication = {'class': 'SimpleStrategy', 'replication_factor': %rf%} AND durable_writes = false

CREATE TYPE %ks%.address (street text, zip int, "Geo" frozen<tuple<double, double>>)

CREATE TYPE %ks%.person (name text, addresses list<frozen<address>>, home frozen<address>, tags set<text>)

CREATE TYPE %ks%."Quoted Type" (a int, "B" text)

CREATE TABLE %ks%.all_types (k int PRIMARY KEY, a ascii, b bigint, bl blob, bo boolean, d decimal,
  db double, f float, i inet, t text, ts timestamp, tu timeuuid, u uuid, vc varchar, vi varint,
  l list<int>, s set<text>, m map<text, int>, tup frozen<tuple<int, text, frozen<address>>>,
  st set<frozen<tuple<int, text>>>, fp frozen<person>, q frozen<"Quoted Type">, "CamelCol" int,
  "select" text, cust 'org.apache.cassandra.db.marshal.LexicalUUIDType')

CREATE TABLE %ks%.events (tenant text, bucket int, at timestamp, id timeuuid, payload text,
  owner text static, PRIMARY KEY ((tenant, bucket), at, id))
  WITH CLUSTERING ORDER BY (at DESC, id ASC) AND comment = 'it''s "events"' AND default_time_to_live = 3600
  AND gc_grace_seconds = 7200 AND compaction = {'class': 'LeveledCompactionStrategy', 'sstable_size_in_mb': '80'}
  AND compression = {'sstable_compression': 'DeflateCompressor', 'chunk_length_kb': '32'}
  AND caching = {'keys': 'NONE', 'rows_per_partition': '10'} AND bloom_filter_fp_chance = 0.05
  AND speculative_retry = '50ms'

CREATE TABLE %ks%.counters (k text, c int, hits counter, misses counter, PRIMARY KEY (k, c))
  WITH CLUSTERING ORDER BY (c DESC)

CREATE TABLE %ks%.compact (k int, c text, v blob, PRIMARY KEY (k, c))
  WITH COMPACT STORAGE AND CLUSTERING ORDER BY (c DESC)

CREATE TABLE %ks%.compact_static (k int PRIMARY KEY, v1 int, v2 text) WITH COMPACT STORAGE

CREATE TABLE %ks%."MixedCase" ("Key" text, "Sort" int, "select" int, PRIMARY KEY ("Key", "Sort"))

CREATE TABLE %ks%.dropped (k int PRIMARY KEY, gone text, kept int)

ALTER TABLE %ks%.dropped DROP gone

CREATE INDEX events_payload ON %ks%.events (payload)

CREATE INDEX ON %ks%.all_types (keys(m))

CREATE INDEX ON %ks%.all_types (l)

CREATE INDEX ON %ks%.all_types ("CamelCol")
`
