package cassandra

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"
)

// Go types registered for the user-defined types of it_usertypes.
type itAddress struct {
	Street string `cql:"street"`
	Zip    int32  `cql:"zip"`
}

type itPerson struct {
	Name string `cql:"name"`
	Home any    `cql:"home"`
}

type itUDTRow struct {
	K int32       `cql:"k"`
	A any         `cql:"a"`
	L []any       `cql:"l"`
	P itPersonMap `cql:"p"`
}

type itPersonMap map[string]any

// TestIntegrationRegisteredUserTypes: against a real server, a Go struct
// registered for a user-defined type is what its values decode to wherever
// the destination is an interface, through every reading API; registration
// on a Cluster before Connect, on a Cluster after it and on a Session each
// take effect for the sessions they should and no other; a type or a field
// the server does not have is refused with a typed error.
func TestIntegrationRegisteredUserTypes(t *testing.T) {
	_, admin, e := testSession(t)
	ks := testKeyspace(t, admin, "it_usertypes", e)
	for _, q := range []string{
		"CREATE TYPE IF NOT EXISTS " + ks + ".address (street text, zip int)",
		"CREATE TYPE IF NOT EXISTS " + ks + ".person (name text, home frozen<address>)",
		"CREATE TABLE IF NOT EXISTS " + ks + ".t (k int PRIMARY KEY, a frozen<address>, l list<frozen<address>>, p frozen<person>)",
	} {
		mustExec(t, admin, q)
	}
	home := itAddress{Street: "1 Main St", Zip: 12345}
	work := itAddress{Street: "2 High St", Zip: 54321}
	mustExec(t, admin, "INSERT INTO "+ks+".t (k, a, l, p) VALUES (?, ?, ?, ?)", 1, home, []itAddress{home, work},
		map[string]any{"name": "Ann", "home": work})

	// Registered on the Cluster before Connect: checked when it connects.
	_, s1, _ := testSession(t, func(c *Cluster) {
		if err := c.RegisterUserType(context.Background(), ks, "address", itAddress{}); err != nil {
			t.Fatalf("RegisterUserType before Connect: %v", err)
		}
	})
	sel := "SELECT k, a, l, p FROM " + ks + ".t WHERE k = 1"
	wantMap := func(a itAddress) map[string]any { return map[string]any{"street": a.Street, "zip": a.Zip} }

	// l is the list as *any yields it ([]itAddress when address is
	// registered); lAny as a []any field holds it.
	check := func(name string, s *Session, a, l, p any) {
		t.Helper()
		row := s.QueryRow(testCtx(t), sel)
		var k int32
		var ga, gl, gp any
		if err := row.Scan(&k, &ga, &gl, &gp); err != nil {
			t.Fatalf("%s: Scan: %v", name, err)
		}
		if !reflect.DeepEqual(ga, a) || !reflect.DeepEqual(gl, l) || !reflect.DeepEqual(gp, p) {
			t.Errorf("%s: Scan into *any:\n a %#v\n l %#v\n p %#v\nwant\n a %#v\n l %#v\n p %#v", name, ga, gl, gp, a, l, p)
		}
		m, err := row.Map()
		if err != nil || !reflect.DeepEqual(m["a"], a) || !reflect.DeepEqual(m["l"], l) || !reflect.DeepEqual(m["p"], p) {
			t.Errorf("%s: MapScan: %#v, %v", name, m, err)
		}
		rs := mustExec(t, s, sel)
		for r, err := range rs.Rows() {
			if err != nil {
				t.Fatal(err)
			}
			vals, err := r.Values()
			if err != nil || !reflect.DeepEqual(vals[1], a) || !reflect.DeepEqual(vals[2], l) {
				t.Errorf("%s: Rows/Values: %#v, %v", name, vals, err)
			}
		}
		rows, err := ScanAll[itUDTRow](mustExec(t, s, sel))
		lv := reflect.ValueOf(l)
		lAny := make([]any, lv.Len())
		for i := range lAny {
			lAny[i] = lv.Index(i).Interface()
		}
		if err != nil || len(rows) != 1 || !reflect.DeepEqual(rows[0].A, a) || !reflect.DeepEqual(rows[0].L, lAny) {
			t.Errorf("%s: ScanAll into a struct with any fields: %#v, %v", name, rows, err)
		}
	}
	// address registered: a, the list's elements and the address inside the
	// (unregistered) person are itAddress.
	check("cluster registration before Connect", s1, home, []itAddress{home, work}, map[string]any{"name": "Ann", "home": work})

	// A session of a cluster without registrations: maps.
	c2, s2, _ := testSession(t, func(c *Cluster) { c.Schema.Disabled = true })
	check("no registration", s2, wantMap(home), []map[string]any{wantMap(home), wantMap(work)}, map[string]any{"name": "Ann", "home": wantMap(work)})

	// Registered on a Session: that session only. With schema metadata
	// disabled the definition is read from the server.
	s2b, err := c2.Connect(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.RegisterUserType(testCtx(t), ks, "person", &itPerson{}); err != nil {
		t.Fatalf("Session.RegisterUserType with metadata disabled: %v", err)
	}
	check("session registration", s2, wantMap(home), []map[string]any{wantMap(home), wantMap(work)}, &itPerson{Name: "Ann", Home: wantMap(work)})
	check("the cluster's other session", s2b, wantMap(home), []map[string]any{wantMap(home), wantMap(work)}, map[string]any{"name": "Ann", "home": wantMap(work)})

	// Registered on the Cluster after Connect: every session of it, present
	// ones included; the session's own registration still wins for person.
	if err := c2.RegisterUserType(testCtx(t), ks, "address", itAddress{}); err != nil {
		t.Fatalf("Cluster.RegisterUserType after Connect: %v", err)
	}
	check("session after the cluster registered address", s2, home, []itAddress{home, work}, &itPerson{Name: "Ann", Home: work})
	check("other session after the cluster registered address", s2b, home, []itAddress{home, work}, map[string]any{"name": "Ann", "home": work})

	// Refusals.
	var ute *UserTypeError
	if err := s1.RegisterUserType(testCtx(t), ks, "no_such_type", itAddress{}); !errors.Is(err, ErrUnknownUserType) || !errors.As(err, &ute) {
		t.Errorf("unknown type: %v, want ErrUnknownUserType", err)
	}
	type withCountry struct {
		Street  string `cql:"street"`
		Country string `cql:"country"`
	}
	if err := s1.RegisterUserType(testCtx(t), ks, "address", withCountry{}); !errors.As(err, &ute) || errors.Is(err, ErrUnknownUserType) {
		t.Errorf("a field the type lacks: %v, want a *UserTypeError naming it", err)
	}
	if err := s1.RegisterUserType(testCtx(t), ks, "address", "not a struct"); !errors.As(err, &ute) {
		t.Errorf("a string sample: %v", err)
	}
	// The refused registrations changed nothing.
	check("after refused registrations", s1, home, []itAddress{home, work}, map[string]any{"name": "Ann", "home": work})

	// A type that does not exist, registered before Connect, fails Connect.
	bad := testCluster(t, e)
	if err := bad.RegisterUserType(context.Background(), ks, "no_such_type", itAddress{}); err != nil {
		t.Fatalf("before Connect the registration is only recorded: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if s, err := bad.Connect(ctx); !errors.Is(err, ErrUnknownUserType) {
		t.Errorf("Connect with an unknown registered type: %v, %v; want ErrUnknownUserType", s, err)
	}
	_ = bad.Close(ctx)
}

// TestIntegrationUserTypeCreatedByAnotherClient: a type another client has
// just created can be registered at once, before this cluster's metadata
// has caught up (the definition is then read from the server).
func TestIntegrationUserTypeCreatedByAnotherClient(t *testing.T) {
	_, admin, e := testSession(t)
	ks := testKeyspace(t, admin, "it_usertypes_late", e)
	_, s, _ := testSession(t)
	mustExec(t, admin, "DROP TABLE IF EXISTS "+ks+".t")
	mustExec(t, admin, "DROP TYPE IF EXISTS "+ks+".late")
	mustExec(t, admin, "CREATE TYPE "+ks+".late (street text, zip int)")
	if err := s.RegisterUserType(testCtx(t), ks, "late", itAddress{}); err != nil {
		t.Fatalf("registering a type another client just created: %v", err)
	}
	mustExec(t, admin, "CREATE TABLE "+ks+".t (k int PRIMARY KEY, v frozen<late>)")
	mustExec(t, admin, "INSERT INTO "+ks+".t (k, v) VALUES (1, {street: 'x', zip: 1})")
	var v any
	if err := s.QueryRow(testCtx(t), "SELECT v FROM "+ks+".t WHERE k = 1").Scan(&v); err != nil || v != (itAddress{Street: "x", Zip: 1}) {
		t.Errorf("late type: %#v, %v", v, err)
	}
}
