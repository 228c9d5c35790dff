package faults

import (
	"errors"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// DelayProxy forwards TCP connections to one node and holds every chunk of
// bytes sent towards the node for Delay before passing it on, in order: the
// client sees each request take Delay longer, as with tc netem delaying the
// packets sent to the node. Answers flow back at once. It listens on
// 127.0.0.1 and dials the node from the node's own address, which is how
// Net.Redirect tells its connections from the client's.
type DelayProxy struct {
	ln     net.Listener
	target netip.AddrPort
	delay  atomic.Int64

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	closed bool
	wg     sync.WaitGroup
}

// chunk is bytes read from the client and when they may go on.
type chunk struct {
	b   []byte
	due time.Time
}

// NewDelayProxy starts a proxy to target, with no delay.
func NewDelayProxy(target netip.AddrPort) (*DelayProxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &DelayProxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.accept()
	return p, nil
}

// Port is the port the proxy listens on, on 127.0.0.1.
func (p *DelayProxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// SetDelay changes the delay of the bytes read from now on.
func (p *DelayProxy) SetDelay(d time.Duration) { p.delay.Store(int64(d)) }

// Close stops the proxy, closes its connections and waits for its
// goroutines.
func (p *DelayProxy) Close() error {
	p.mu.Lock()
	p.closed = true
	for c := range p.conns {
		c.Close()
	}
	p.mu.Unlock()
	err := p.ln.Close()
	p.wg.Wait()
	return err
}

func (p *DelayProxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *DelayProxy) untrack(c net.Conn) {
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
	c.Close()
}

func (p *DelayProxy) accept() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		if !p.track(c) {
			continue
		}
		p.wg.Add(1)
		go p.serve(c)
	}
}

func (p *DelayProxy) serve(client net.Conn) {
	defer p.wg.Done()
	defer p.untrack(client)
	d := net.Dialer{Timeout: 5 * time.Second, LocalAddr: &net.TCPAddr{IP: p.target.Addr().AsSlice()}}
	node, err := d.Dial("tcp", p.target.String())
	if err != nil {
		return
	}
	if !p.track(node) {
		return
	}
	defer p.untrack(node)

	var wg sync.WaitGroup
	wg.Add(2)
	// Node to client: at once.
	go func() {
		defer wg.Done()
		io.Copy(client, node)
		client.Close()
		node.Close()
	}()
	// Client to node: each chunk waits for its due time.
	queue := make(chan chunk, 256)
	go func() {
		defer wg.Done()
		defer node.Close()
		for c := range queue {
			if w := time.Until(c.due); w > 0 {
				time.Sleep(w)
			}
			if _, err := node.Write(c.b); err != nil {
				client.Close()
				for range queue { // let the reader finish
				}
				return
			}
		}
	}()
	buf := make([]byte, 32<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			b := append([]byte(nil), buf[:n]...)
			queue <- chunk{b: b, due: time.Now().Add(time.Duration(p.delay.Load()))}
		}
		if err != nil {
			if !errors.Is(err, net.ErrClosed) && !errors.Is(err, io.EOF) {
				node.Close()
			}
			break
		}
	}
	close(queue)
	wg.Wait()
}
