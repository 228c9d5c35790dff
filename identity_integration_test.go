package cassandra

import (
	"testing"

	"github.com/google/uuid"
)

// TestIntegrationIdentityInSystemViewsClients: the application's name,
// version and client id reach the server (Cassandra 4.0+ lists them in
// system_views.clients).
func TestIntegrationIdentityInSystemViewsClients(t *testing.T) {
	id := uuid.New()
	_, s, e := testSession(t, func(c *Cluster) {
		c.Identity = Identity{ApplicationName: "cqlgo-it", ApplicationVersion: "1.2.3", ClientID: id}
	})
	if e.Version == "2.1" {
		t.Skip("Cassandra 2.1 has no system_views")
	}
	rs := mustExec(t, s, "SELECT driver_name, client_options FROM system_views.clients")
	found := false
	for row, err := range rs.Rows() {
		if err != nil {
			t.Fatal(err)
		}
		var driver string
		var opts map[string]string
		if err := row.Scan(&driver, &opts); err != nil {
			t.Fatal(err)
		}
		if opts["CLIENT_ID"] == id.String() {
			found = true
			if opts["APPLICATION_NAME"] != "cqlgo-it" || opts["APPLICATION_VERSION"] != "1.2.3" || driver != "cqlgo/cassandra" {
				t.Errorf("driver %q options %v", driver, opts)
			}
		}
	}
	if !found {
		t.Error("no connection of this client in system_views.clients")
	}
}
