package capture

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"io"
	"net"
	"os"
	"testing"
	"time"

	"github.com/cqlgo/cassandra/internal/testenv"
)

// Every node of the server under test answers OPTIONS through the proxy with
// SUPPORTED, and the recording holds exactly what each side sent. This runs
// in every setup of `make test` (5.0 x1, x3, 2.1, auth, TLS) and proves the
// wiring before the driver exists.
func TestIntegrationOptionsThroughProxy(t *testing.T) {
	e := testenv.Require(t)
	proto := byte(4)
	if e.Version == "2.1" {
		proto = 3
	}
	for _, host := range e.Hosts {
		if _, _, err := net.SplitHostPort(host); err != nil {
			host = net.JoinHostPort(host, "9042")
		}
		t.Run(host, func(t *testing.T) {
			p, err := Listen("127.0.0.1:0", host, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			var c net.Conn
			c, err = net.DialTimeout("tcp", p.Addr(), 5*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			if e.TLSCAFile != "" {
				c = tlsClient(t, c, e)
			}
			c.SetDeadline(time.Now().Add(10 * time.Second))
			options := []byte{proto, 0, 0, 0, 0x05, 0, 0, 0, 0}
			if _, err := c.Write(options); err != nil {
				t.Fatal(err)
			}
			var h [9]byte
			if _, err := io.ReadFull(c, h[:]); err != nil {
				t.Fatal(err)
			}
			body := make([]byte, binary.BigEndian.Uint32(h[5:]))
			if _, err := io.ReadFull(c, body); err != nil {
				t.Fatal(err)
			}
			if h[0] != 0x80|proto || h[4] != 0x06 {
				t.Fatalf("response header % x, want a v%d SUPPORTED (opcode 0x06)", h, proto)
			}
			if !bytes.Contains(body, []byte("CQL_VERSION")) {
				t.Errorf("SUPPORTED body has no CQL_VERSION: %q", body)
			}
			c.Close()
			if err := p.Close(); err != nil {
				t.Fatal(err)
			}

			c2s, s2c := p.Files(1)
			sent, _ := os.ReadFile(c2s)
			received, _ := os.ReadFile(s2c)
			if e.TLSCAFile != "" {
				// The proxy sees TLS records: check that both directions
				// were recorded, not their plaintext.
				if len(sent) < len(options) || len(received) < 9+len(body) {
					t.Errorf("recorded %d bytes sent, %d received; too few for a TLS session", len(sent), len(received))
				}
				return
			}
			if !bytes.Equal(sent, options) {
				t.Errorf("recorded client->server % x, want % x", sent, options)
			}
			if want := append(h[:], body...); !bytes.Equal(received, want) {
				t.Errorf("recorded server->client %d bytes, want the %d of the response", len(received), len(want))
			}
		})
	}
}

func tlsClient(t *testing.T, c net.Conn, e testenv.Env) net.Conn {
	t.Helper()
	pem, err := os.ReadFile(e.TLSCAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no PEM certificate", e.TLSCAFile)
	}
	tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: e.TLSServerName})
	tc.SetDeadline(time.Now().Add(10 * time.Second))
	if err := tc.Handshake(); err != nil {
		t.Fatalf("TLS handshake with server name %q: %v", e.TLSServerName, err)
	}
	return tc
}
