// Command cqlping checks that Cassandra nodes answer CQL. It speaks just
// enough of the native protocol with raw frames (OPTIONS, STARTUP, password
// authentication, one QUERY) to prove a node serves requests, so that
// scripts/cassandra does not depend on the driver under construction.
//
//	cqlping [-proto 4] [-user u -pass p] [-ca ca.pem -servername n] host:port...
//
// For each address it prints "host:port release_version", or exits non-zero
// with the reason for the first node that does not answer.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"
)

const (
	opError        = 0x00
	opStartup      = 0x01
	opReady        = 0x02
	opAuthenticate = 0x03
	opQuery        = 0x07
	opResult       = 0x08
	opAuthResponse = 0x0F
	opAuthSuccess  = 0x10
)

func main() {
	proto := flag.Int("proto", 4, "native protocol version (3 or 4)")
	user := flag.String("user", "", "username for PasswordAuthenticator")
	pass := flag.String("pass", "", "password for PasswordAuthenticator")
	ca := flag.String("ca", "", "PEM CA file: connect with TLS and verify the server")
	serverName := flag.String("servername", "", "TLS server name to verify (default: the host)")
	query := flag.String("query", "SELECT release_version FROM system.local", "query whose first text column is printed")
	timeout := flag.Duration("timeout", 5*time.Second, "per-node timeout")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: cqlping [flags] host:port...")
		os.Exit(2)
	}
	var tlsConf *tls.Config
	if *ca != "" {
		pem, err := os.ReadFile(*ca)
		if err != nil {
			fail(err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			fail(fmt.Errorf("%s: no PEM certificate", *ca))
		}
		tlsConf = &tls.Config{RootCAs: pool, ServerName: *serverName}
	}
	for _, addr := range flag.Args() {
		v, err := ping(addr, byte(*proto), *user, *pass, tlsConf, *query, *timeout)
		if err != nil {
			fail(fmt.Errorf("%s: %w", addr, err))
		}
		fmt.Println(addr, v)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cqlping:", err)
	os.Exit(1)
}

func ping(addr string, proto byte, user, pass string, tlsConf *tls.Config, query string, timeout time.Duration) (string, error) {
	d := net.Dialer{Timeout: timeout}
	var c net.Conn
	var err error
	if tlsConf != nil {
		conf := tlsConf.Clone()
		if conf.ServerName == "" {
			conf.ServerName, _, _ = net.SplitHostPort(addr)
		}
		c, err = tls.DialWithDialer(&d, "tcp", addr, conf)
	} else {
		c, err = d.Dial("tcp", addr)
	}
	if err != nil {
		return "", err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(timeout))

	startup := stringMap(map[string]string{"CQL_VERSION": "3.0.0"})
	op, body, err := roundTrip(c, proto, opStartup, startup)
	if err != nil {
		return "", err
	}
	switch op {
	case opReady:
	case opAuthenticate:
		if user == "" {
			return "", errors.New("server requires authentication; set -user and -pass")
		}
		tok := append(append(append([]byte{0}, user...), 0), pass...)
		b := binary.BigEndian.AppendUint32(nil, uint32(len(tok)))
		op, body, err = roundTrip(c, proto, opAuthResponse, append(b, tok...))
		if err != nil {
			return "", err
		}
		if op != opAuthSuccess {
			return "", unexpected(op, body)
		}
	default:
		return "", unexpected(op, body)
	}

	q := binary.BigEndian.AppendUint32(nil, uint32(len(query)))
	q = append(q, query...)
	q = append(q, 0x00, 0x01, 0x00) // consistency ONE, no flags
	op, body, err = roundTrip(c, proto, opQuery, q)
	if err != nil {
		return "", err
	}
	if op != opResult {
		return "", unexpected(op, body)
	}
	return firstCell(body)
}

func roundTrip(c net.Conn, proto, op byte, body []byte) (byte, []byte, error) {
	h := []byte{proto, 0, 0, 0, op}
	h = binary.BigEndian.AppendUint32(h, uint32(len(body)))
	if _, err := c.Write(append(h, body...)); err != nil {
		return 0, nil, err
	}
	var rh [9]byte
	if _, err := io.ReadFull(c, rh[:]); err != nil {
		return 0, nil, fmt.Errorf("reading response header: %w", err)
	}
	if rh[0]&0x7F != proto {
		return 0, nil, fmt.Errorf("server answered with protocol version %d", rh[0]&0x7F)
	}
	n := binary.BigEndian.Uint32(rh[5:])
	if n > 16<<20 {
		return 0, nil, fmt.Errorf("response body of %d bytes", n)
	}
	rb := make([]byte, n)
	if _, err := io.ReadFull(c, rb); err != nil {
		return 0, nil, fmt.Errorf("reading response body: %w", err)
	}
	if rh[1]&0x08 != 0 { // warnings: [string list] before the body
		r := reader{b: rb}
		for i := r.short(); i > 0; i-- {
			r.str()
		}
		rb = r.b
	}
	return rh[4], rb, nil
}

func unexpected(op byte, body []byte) error {
	if op == opError {
		r := reader{b: body}
		code := r.int()
		return fmt.Errorf("server error 0x%04x: %s", code, r.str())
	}
	return fmt.Errorf("unexpected response opcode 0x%02x", op)
}

// firstCell returns the first column of the first row of a Rows result as
// text (the query must select text columns).
func firstCell(body []byte) (string, error) {
	r := reader{b: body}
	if kind := r.int(); kind != 2 {
		return fmt.Sprintf("result kind %d", kind), r.err
	}
	flags := r.int()
	cols := r.int()
	if flags&0x0002 != 0 {
		r.bytes() // paging state
	}
	if flags&0x0004 == 0 {
		global := flags&0x0001 != 0
		if global {
			r.str()
			r.str()
		}
		for i := 0; i < int(cols); i++ {
			if !global {
				r.str()
				r.str()
			}
			r.str()
			if t := r.short(); t >= 0x20 {
				return "", fmt.Errorf("column %d has non-simple type 0x%04x", i, t)
			}
		}
	}
	if rows := r.int(); rows < 1 || cols < 1 {
		return "", fmt.Errorf("no rows (%d) or columns (%d)", rows, cols)
	}
	v := r.bytes()
	return string(v), r.err
}

type reader struct {
	b   []byte
	err error
}

func (r *reader) take(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = errors.New("truncated response")
		}
		return nil
	}
	v := r.b[:n]
	r.b = r.b[n:]
	return v
}

func (r *reader) short() int {
	b := r.take(2)
	if b == nil {
		return 0
	}
	return int(binary.BigEndian.Uint16(b))
}

func (r *reader) int() int32 {
	b := r.take(4)
	if b == nil {
		return 0
	}
	return int32(binary.BigEndian.Uint32(b))
}

func (r *reader) str() string { return string(r.take(r.short())) }

func (r *reader) bytes() []byte {
	n := r.int()
	if n < 0 {
		return nil
	}
	return r.take(int(n))
}

func stringMap(m map[string]string) []byte {
	b := binary.BigEndian.AppendUint16(nil, uint16(len(m)))
	for k, v := range m {
		b = binary.BigEndian.AppendUint16(b, uint16(len(k)))
		b = append(b, k...)
		b = binary.BigEndian.AppendUint16(b, uint16(len(v)))
		b = append(b, v...)
	}
	return b
}
