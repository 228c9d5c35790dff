package capture

import (
	"bytes"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A fake server that answers every byte it reads with the same byte + 1
// proves both directions are recorded, byte for byte, per connection.
func TestProxyRecordsBothDirectionsPerConnection(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				buf := make([]byte, 64)
				for {
					n, err := c.Read(buf)
					if err != nil {
						return
					}
					for i := range buf[:n] {
						buf[i]++
					}
					c.Write(buf[:n])
				}
			}()
		}
	}()

	dir := t.TempDir()
	p, err := Listen("127.0.0.1:0", ln.Addr().String(), dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"abc", "hello"} {
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		c.Write([]byte(msg))
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(c, got); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	if err := p.Close(); err != nil {
		t.Fatal(err)
	}

	for i, msg := range []string{"abc", "hello"} {
		c2s, s2c := p.Files(i + 1)
		if b, _ := os.ReadFile(c2s); string(b) != msg {
			t.Errorf("conn %d client->server = %q, want %q", i+1, b, msg)
		}
		want := []byte(msg)
		for j := range want {
			want[j]++
		}
		if b, _ := os.ReadFile(s2c); !bytes.Equal(b, want) {
			t.Errorf("conn %d server->client = %q, want %q", i+1, b, want)
		}
	}
	index, _ := os.ReadFile(filepath.Join(dir, "index.txt"))
	if n := strings.Count(string(index), "\n"); n != 2 {
		t.Errorf("index has %d lines, want 2:\n%s", n, index)
	}
}

// Connections recorded into a directory that already holds recordings get
// the next numbers instead of overwriting them.
func TestProxyContinuesNumbering(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "conn-001.c2s.bin"), nil, 0o644)
	p, err := Listen("127.0.0.1:0", "127.0.0.1:1", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if p.n != 1 {
		t.Fatalf("next connection number = %d, want 2", p.n+1)
	}
}
