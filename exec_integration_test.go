package cassandra

import (
	"errors"
	"fmt"
	"sync"
	"testing"
)

// Exec, ExecStatement, QueryRow and QueryRowStatement against a real
// server: writes through Exec read back through QueryRow, many at once
// (the reused ResultSets never mix rows up), and a row scanned long after
// later calls still holds its own values. A conditional write that does
// not apply is no error for Exec (gocql's Query.Exec does the same);
// ExecuteStatement reports it.
func TestIntegrationExecAndQueryRow(t *testing.T) {
	_, s, e := testSession(t)
	ctx := testCtx(t)
	ks := testKeyspace(t, s, "it_exec", e)
	if err := s.Exec(ctx, "CREATE TABLE IF NOT EXISTS "+ks+".kv (k int PRIMARY KEY, v text, n bigint)"); err != nil {
		t.Fatal(err)
	}
	if err := s.Exec(ctx, "TRUNCATE "+ks+".kv"); err != nil {
		t.Fatal(err)
	}
	ins, err := s.Prepare(ctx, "INSERT INTO "+ks+".kv (k, v, n) VALUES (?, ?, ?)")
	if err != nil {
		t.Fatal(err)
	}
	sel, err := s.Prepare(ctx, "SELECT k, v, n FROM "+ks+".kv WHERE k = ?")
	if err != nil {
		t.Fatal(err)
	}
	value := func(k int) string { return fmt.Sprintf("value %d %s", k, string(make([]byte, k%97))) }
	const n = 400
	var wg sync.WaitGroup
	errs := make(chan error, n)
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < n; k += 16 {
				if err := s.ExecStatement(ctx, ins.Bind(k, value(k), int64(k)*1000)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatalf("ExecStatement: %v", err)
	}
	kept := make([]Row, n)
	var mu sync.Mutex
	bad := 0
	for w := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := w; k < n; k += 16 {
				var r Row
				if k%2 == 0 {
					r = s.QueryRowStatement(ctx, sel.Bind(k))
				} else {
					r = s.QueryRow(ctx, "SELECT k, v, n FROM "+ks+".kv WHERE k = ?", k)
				}
				var gk int
				var gv string
				var gn int64
				if err := r.Scan(&gk, &gv, &gn); err != nil || gk != k || gv != value(k) || gn != int64(k)*1000 {
					mu.Lock()
					bad++
					mu.Unlock()
					t.Errorf("key %d: %d %q %d %v", k, gk, gv, gn, err)
				}
				kept[k] = r
			}
		}()
	}
	wg.Wait()
	if bad > 0 {
		t.Fatalf("%d of %d rows wrong", bad, n)
	}
	for k, r := range kept {
		var gk int
		var gv string
		var gn int64
		if err := r.Scan(&gk, &gv, &gn); err != nil || gk != k || gv != value(k) {
			t.Fatalf("key %d scanned again after every other read: %d %q %v", k, gk, gv, err)
		}
	}
	if err := s.QueryRowStatement(ctx, sel.Bind(n+1)).Scan(new(int), new(string), new(int64)); !errors.Is(err, ErrNotFound) {
		t.Errorf("missing key: %v, want ErrNotFound", err)
	}
	lwt := "INSERT INTO " + ks + ".kv (k, v, n) VALUES (1, 'again', 0) IF NOT EXISTS"
	if err := s.Exec(ctx, lwt); err != nil {
		t.Errorf("Exec of a conditional insert that does not apply: %v", err)
	}
	rs, err := s.Execute(ctx, lwt)
	if err != nil {
		t.Fatal(err)
	}
	if applied, err := rs.WasApplied(); applied || err != nil {
		t.Errorf("Execute of the same: applied %v, %v; want not applied", applied, err)
	}
	var ie *InvalidError
	if err := s.Exec(ctx, "INSERT INTO "+ks+".no_such_table (k) VALUES (1)"); !errors.As(err, &ie) {
		t.Errorf("Exec into a missing table: %v, want *InvalidError", err)
	}
}
