package cassandra

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"math/big"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// selfSigned makes a certificate for cn.
func selfSigned(t *testing.T, cn string) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: cn},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth, x509.ExtKeyUsageServerAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestTLSCertificateRotationWithoutRestart: a client certificate supplied
// through tls.Config.GetClientCertificate is asked for on every new
// connection, so rotating it needs no restart: connections opened after
// the switch present the new one.
func TestTLSCertificateRotationWithoutRestart(t *testing.T) {
	server := selfSigned(t, "server")
	ln, err := tls.Listen("tcp", "127.0.0.1:0", &tls.Config{
		Certificates: []tls.Certificate{server},
		ClientAuth:   tls.RequireAnyClientCert,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var mu sync.Mutex
	var seen []string
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			tc := c.(*tls.Conn)
			if tc.Handshake() == nil && len(tc.ConnectionState().PeerCertificates) > 0 {
				mu.Lock()
				seen = append(seen, tc.ConnectionState().PeerCertificates[0].Subject.CommonName)
				mu.Unlock()
			}
			c.Close() // no CQL here: the driver's handshake then fails, which is fine
		}
	}()
	defer wg.Wait()
	defer ln.Close()

	var current atomic.Pointer[tls.Certificate]
	a, b := selfSigned(t, "client-a"), selfSigned(t, "client-b")
	current.Store(&a)
	pool := x509.NewCertPool()
	leaf, _ := x509.ParseCertificate(server.Certificate[0])
	pool.AddCert(leaf)
	cfg := &tls.Config{
		RootCAs: pool,
		GetClientCertificate: func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
			return current.Load(), nil
		},
	}
	addr := ln.Addr().(*net.TCPAddr)
	connect := func() {
		c := NewCluster("127.0.0.1")
		c.Port = addr.Port
		c.TLS = cfg
		c.Logger = quietLogger()
		c.Timeouts.Connect = time.Second
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		if _, err := c.Connect(ctx); err == nil {
			t.Fatal("connected to a server that speaks no CQL")
		}
		c.Close(ctx)
	}
	connect()
	current.Store(&b) // rotate, as a certificate reloader would
	connect()
	mu.Lock()
	defer mu.Unlock()
	if len(seen) < 2 || seen[0] != "client-a" || seen[len(seen)-1] != "client-b" {
		t.Fatalf("client certificates seen by the server: %v, want client-a then client-b", seen)
	}
}
