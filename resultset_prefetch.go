package cassandra

import (
	"encoding/binary"
	"errors"

	"github.com/cqlgo/cassandra/frame"
)

// prefetched is a page fetched ahead of need.
type prefetched struct {
	req      *request // the copy of the request that fetched it
	rows     frame.RowsResult
	res      attemptResult
	attempts []Attempt
	err      error
}

// startPrefetch fetches the page after the current one in the background.
// The fetch runs on a copy of the request, which becomes the ResultSet's
// when Next takes the page: the iterating goroutine (and
// FetchNextPageAsync, which copies rs.req) never share a field with the
// fetch; the page being read is not affected.
func (rs *ResultSet) startPrefetch() {
	if rs.pending != nil || !rs.req.s.goBackground() {
		return
	}
	req := new(request)
	*req = *rs.req
	req.rs = nil
	req.attempts = nil // the current page's ResultSet keeps its own
	req.params().PagingState = rs.rows.Metadata.PagingState
	ctx := rs.ctx
	ch := make(chan prefetched, 1)
	rs.pending = ch
	go func() {
		defer req.s.wg.Done()
		p := prefetched{req: req}
		p.res, _, p.err = req.s.run(ctx, req.deadline(), req)
		p.attempts = req.attempts
		if p.err == nil {
			body := p.res.fr.Body
			if p.res.void || len(body) < 4 || frame.ResultKind(binary.BigEndian.Uint32(body)) != frame.ResultRows {
				p.err = &ConnError{Op: "decode", Err: errors.New("next page answered without rows")}
			} else if err := p.rows.Decode(body, p.res.conn.Version()); err != nil {
				p.err = &ConnError{Host: p.res.conn.Addr(), Op: "decode", Err: err}
			}
		}
		ch <- p
	}()
}

// takePrefetched waits for the page fetched ahead and makes it current,
// which starts fetching the one after it.
func (rs *ResultSet) takePrefetched() error {
	p := <-rs.pending // bounded: the fetch runs under the request's deadline
	rs.pending = nil
	if p.err != nil {
		return p.err
	}
	req := p.req
	rs.req = req
	req.attempts = p.attempts
	rs.setEnvelope(req, p.res)
	rs.rows = p.rows
	return rs.setPage(req, &rs.rows)
}
