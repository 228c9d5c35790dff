package metadata_test

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cqlgo/cassandra/metadata"
)

var update = flag.Bool("update", false, "rewrite the golden descriptions in testdata")

// TestDescribeGolden pins the description of the recorded schemas. The
// round-trip integration test checks that servers accept it; this one
// catches changes of the output. Rewrite with go test -run DescribeGolden
// -update ./metadata/ after checking the diff.
func TestDescribeGolden(t *testing.T) {
	for _, name := range []string{"cassandra-5.0", "cassandra-2.1"} {
		t.Run(name, func(t *testing.T) {
			_, _, k := parseRecorded(t, name+".json")
			got := k.Describe()
			golden := filepath.Join("testdata", name+".cql")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if got != string(want) {
				t.Errorf("description changed (-update to accept):\n%s", lineDiff(string(want), got))
			}
		})
	}
}

func TestDescribeStatementsOrder(t *testing.T) {
	_, _, k := parseRecorded(t, "cassandra-5.0.json")
	stmts := k.DescribeStatements()
	index := func(prefix string) int {
		for i, s := range stmts {
			if strings.HasPrefix(s, prefix) {
				return i
			}
		}
		t.Fatalf("no statement starts with %q", prefix)
		return -1
	}
	before := func(a, b string) {
		if index(a) >= index(b) {
			t.Errorf("%q comes after %q", a, b)
		}
	}
	before("CREATE KEYSPACE md_capture", "CREATE TYPE")
	before("CREATE TYPE md_capture.address", "CREATE TYPE md_capture.person")
	before("CREATE TYPE md_capture.person", "CREATE FUNCTION md_capture.\"Over\"(a text, p person)")
	before("CREATE FUNCTION md_capture.add_state", "CREATE AGGREGATE md_capture.my_avg")
	before("CREATE TYPE md_capture.point", "CREATE TABLE md_capture.all_types")
	before("CREATE TABLE md_capture.all_types", "CREATE INDEX all_types_m_idx")
	before("CREATE TABLE md_capture.users", "CREATE MATERIALIZED VIEW md_capture.users_by_email")
	for _, s := range stmts {
		if !strings.HasSuffix(s, ";") {
			t.Errorf("statement without a semicolon: %s", s)
		}
	}
	if got := metadata.QuoteIdent("Over"); !strings.Contains(k.Function("Over", "int").AsCQL(), "md_capture."+got+"(a int)") {
		t.Errorf("function name not quoted: %s", k.Function("Over", "int").AsCQL())
	}
}
