package cassandra

import (
	"testing"
)

func TestIntegrationConnectDiscoversHosts(t *testing.T) {
	c, _, e := testSession(t)
	hosts := c.Hosts()
	if len(hosts) != e.Nodes {
		t.Fatalf("discovered %d hosts, want %d", len(hosts), e.Nodes)
	}
	for _, h := range hosts {
		i := h.Info()
		if i.DC == "" || i.Rack == "" || i.ReleaseVersion == "" || len(i.Tokens) == 0 || i.HostID == ([16]byte{}) {
			t.Errorf("host %v has incomplete info %+v", h, i)
		}
	}
	want := map[string]string{"5.0": "v5", "2.1": "v3"}[e.Version]
	if e.Version == "5.0" && c.ProtocolVersion != 0 {
		want = "v" + string(rune('0'+c.ProtocolVersion))
	}
	if got := c.state.ctrl.version().String(); want != "" && got != want {
		t.Errorf("negotiated %s with Cassandra %s, want %s", got, e.Version, want)
	}
}
