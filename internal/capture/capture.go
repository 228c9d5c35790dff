// Package capture records the bytes a CQL client and a Cassandra node
// exchange. A Proxy listens on a loopback address, forwards every connection
// to one node, and writes what each side sent, unchanged, to its own file:
//
//	conn-001.c2s.bin  bytes from the client to the server
//	conn-001.s2c.bin  bytes from the server to the client
//	index.txt         one line per finished connection
//
// It does not parse frames: the files are the raw streams, which the codec's
// tests split into frames (and decompress) themselves. Real sessions recorded
// this way live in testdata/capture/.
package capture

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Proxy forwards connections to Target and records them under Dir.
type Proxy struct {
	Target string
	Dir    string

	ln    net.Listener
	wg    sync.WaitGroup
	mu    sync.Mutex
	n     int
	conns map[net.Conn]struct{}
	index *os.File
}

// Listen starts a proxy on addr (for example "127.0.0.1:0") that forwards to
// target and records into dir, creating it if needed. Connections are
// numbered from one past the highest already listed in dir's index.
func Listen(addr, target, dir string) (*Proxy, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	index, err := os.OpenFile(filepath.Join(dir, "index.txt"), os.O_CREATE|os.O_APPEND|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		index.Close()
		return nil, err
	}
	p := &Proxy{Target: target, Dir: dir, ln: ln, index: index, conns: map[net.Conn]struct{}{}}
	for {
		if _, err := os.Stat(p.path(p.n+1, "c2s")); err != nil {
			break
		}
		p.n++
	}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the address clients connect to.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Close stops accepting, closes open connections and waits until every
// recording is written.
func (p *Proxy) Close() error {
	err := p.ln.Close()
	p.mu.Lock()
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	p.wg.Wait()
	if cerr := p.index.Close(); err == nil {
		err = cerr
	}
	return err
}

func (p *Proxy) path(n int, dir string) string {
	return filepath.Join(p.Dir, fmt.Sprintf("conn-%03d.%s.bin", n, dir))
}

// Files returns the recording files of connection n (1-based).
func (p *Proxy) Files(n int) (clientToServer, serverToClient string) {
	return p.path(n, "c2s"), p.path(n, "s2c")
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		p.n++
		n := p.n
		p.conns[c] = struct{}{}
		p.mu.Unlock()
		p.wg.Add(1)
		go p.relay(n, c)
	}
}

func (p *Proxy) relay(n int, client net.Conn) {
	defer p.wg.Done()
	start := time.Now()
	defer func() {
		client.Close()
		p.mu.Lock()
		delete(p.conns, client)
		p.mu.Unlock()
	}()
	server, err := net.DialTimeout("tcp", p.Target, 10*time.Second)
	if err != nil {
		p.note(fmt.Sprintf("%03d %s %s -> %s dial error: %v\n", n, start.UTC().Format(time.RFC3339), client.RemoteAddr(), p.Target, err))
		return
	}
	p.mu.Lock()
	p.conns[server] = struct{}{}
	p.mu.Unlock()
	defer func() {
		server.Close()
		p.mu.Lock()
		delete(p.conns, server)
		p.mu.Unlock()
	}()

	c2s, s2c := p.Files(n)
	var sent, received int64
	var errSent, errReceived error
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		sent, errSent = copyRecorded(server, client, c2s)
		closeWrite(server)
	}()
	go func() {
		defer wg.Done()
		received, errReceived = copyRecorded(client, server, s2c)
		closeWrite(client)
	}()
	wg.Wait()
	line := fmt.Sprintf("%03d %s %s -> %s c2s=%d s2c=%d duration=%s", n, start.UTC().Format(time.RFC3339),
		client.RemoteAddr(), p.Target, sent, received, time.Since(start).Round(time.Millisecond))
	for _, err := range []error{errSent, errReceived} {
		if err != nil {
			line += " error=" + fmt.Sprintf("%q", err.Error())
		}
	}
	p.note(line + "\n")
}

func (p *Proxy) note(line string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.index.WriteString(line)
}

// copyRecorded copies src to dst and to the file at path until src ends.
// A closed connection ends the copy without an error: it is how sessions end.
func copyRecorded(dst io.Writer, src io.Reader, path string) (int64, error) {
	f, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(io.MultiWriter(dst, f), src)
	if ne, ok := err.(*net.OpError); ok && !ne.Timeout() {
		err = nil
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func closeWrite(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.CloseWrite()
		return
	}
	c.Close()
}
