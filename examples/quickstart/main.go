// Command quickstart is the first thing `make demo` runs.
//
// For now it only proves that a real Cassandra node is up: it opens a TCP
// connection, sends a raw protocol v4 OPTIONS frame and prints the options
// of the SUPPORTED response (falling back to v3 when the server refuses v4,
// as Cassandra 2.1 does). Once the driver's request path exists this becomes
// the real quickstart: connect, create a keyspace and a table, write, read
// back, print.
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
	opts, version, err := options(host, 4)
	if v, ok := err.(refused); ok && v.answered < 4 {
		fmt.Printf("%s refuses protocol v4 and answers in v%d; asking again in v3\n", host, v.answered)
		opts, version, err = options(host, 3)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
	keys := make([]string, 0, len(opts))
	for k := range opts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Printf("Cassandra at %s is up (protocol v%d); it supports:\n", host, version)
	for _, k := range keys {
		fmt.Printf("  %-20s %s\n", k, strings.Join(opts[k], ", "))
	}
}

// refused is the server's ERROR answer to OPTIONS.
type refused struct {
	answered byte // protocol version of the ERROR frame
	msg      string
}

func (r refused) Error() string {
	return fmt.Sprintf("server answered v%d ERROR: %s", r.answered, r.msg)
}

// options sends OPTIONS in protocol version v and decodes SUPPORTED.
func options(host string, v byte) (opts map[string][]string, version byte, err error) {
	c, err := net.DialTimeout("tcp", host, 5*time.Second)
	if err != nil {
		return nil, 0, err
	}
	defer c.Close()
	if ca := os.Getenv("CASSANDRA_TLS_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, 0, err
		}
		pool := x509.NewCertPool()
		pool.AppendCertsFromPEM(pem)
		c = tls.Client(c, &tls.Config{RootCAs: pool, ServerName: os.Getenv("CASSANDRA_TLS_SERVER_NAME")})
	}
	c.SetDeadline(time.Now().Add(10 * time.Second))

	// version, flags 0, stream 0, opcode OPTIONS (0x05), body length 0
	if _, err := c.Write([]byte{v, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00, 0x00}); err != nil {
		return nil, 0, err
	}
	var h [9]byte
	if _, err := io.ReadFull(c, h[:]); err != nil {
		return nil, 0, err
	}
	body := make([]byte, binary.BigEndian.Uint32(h[5:]))
	if _, err := io.ReadFull(c, body); err != nil {
		return nil, 0, err
	}
	version = h[0] & 0x7f
	switch h[4] {
	case 0x06: // SUPPORTED: [string multimap]
	case 0x00: // ERROR: [int] code, [string] message
		msg := ""
		if len(body) >= 6 {
			msg = string(body[6:])
		}
		return nil, version, refused{version, msg}
	default:
		return nil, version, fmt.Errorf("%s answered opcode 0x%02x, want SUPPORTED", host, h[4])
	}

	// A malformed body panics in the slicing below; report it as an error.
	defer func() {
		if recover() != nil {
			err = fmt.Errorf("%s sent a malformed SUPPORTED body", host)
		}
	}()
	short := func() int {
		n := int(binary.BigEndian.Uint16(body))
		body = body[2:]
		return n
	}
	str := func() string {
		n := short()
		s := string(body[:n])
		body = body[n:]
		return s
	}
	opts = map[string][]string{}
	for n := short(); n > 0; n-- {
		k := str()
		for m := short(); m > 0; m-- {
			opts[k] = append(opts[k], str())
		}
	}
	return opts, version, nil
}
