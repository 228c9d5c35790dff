// Command quickstart is the first thing `make demo` runs.
//
// For now it only proves that a real Cassandra node is up: it opens a TCP
// connection, sends a raw protocol v4 OPTIONS frame and prints the options
// of the SUPPORTED response. Once the driver's request path exists this
// becomes the real quickstart: connect, create a keyspace and a table,
// write, read back, print.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"time"
)

func main() {
	host := "127.0.0.1:9042"
	if h := strings.TrimSpace(strings.Split(os.Getenv("CASSANDRA_HOSTS"), ",")[0]); h != "" {
		host = h
	}
	if _, _, err := net.SplitHostPort(host); err != nil {
		host = net.JoinHostPort(host, "9042")
	}
	if err := run(host); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(host string) (err error) {
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return err
	}
	defer c.Close()
	if ca := os.Getenv("CASSANDRA_TLS_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		c = tls.Client(c, &tls.Config{RootCAs: pool, ServerName: os.Getenv("CASSANDRA_TLS_SERVER_NAME")})
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))

	// version 4, flags 0, stream 0, opcode OPTIONS (0x05), body length 0
	if _, err := c.Write([]byte{0x04, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00}); err != nil {
		return err
	}
	var h [9]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return err
	}
	body := make([]byte, binary.BigEndian.Uint32(h[5:]))
	if _, err := io.ReadFull(c, body); err != nil {
		return err
	}
	switch h[4] {
	case 0x06: // SUPPORTED: [string multimap]
	case 0x00: // ERROR: [int] code, [string] message
		if len(body) >= 6 {
			return fmt.Errorf("%s answered v%d ERROR: %s", host, h[0]&0x7f, body[6:])
		}
		return fmt.Errorf("%s answered ERROR", host)
	default:
		return fmt.Errorf("%s answered opcode 0x%02x, want SUPPORTED", host, h[4])
	}

	// A malformed body panics in the slicing below; report it as an error.
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("%s sent a malformed SUPPORTED body", host)
		}
	}()
	short := func() int {
		v := int(binary.BigEndian.Uint16(body))
		body = body[2:]
		return v
	}
	str := func() string {
		n := short()
		s := string(body[:n])
		body = body[n:]
		return s
	}
	opts := map[string][]string{}
	for n := short(); n > 0; n-- {
		k := str()
		for m := short(); m > 0; m-- {
			opts[k] = append(opts[k], str())
		}
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("Cassandra at %s is up; it supports:\n", host)
	for _, k := range keys {
		fmt.Printf("  %-20s %s\n", k, strings.Join(opts[k], ", "))
	}
	return nil
}
