package simnode

import (
	"bytes"
	"crypto/md5"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// Request is a request as the node received it.
type Request struct {
	// Seq numbers the requests of a node from 1 in arrival order, across
	// connections and restarts.
	Seq int
	// Conn numbers the node's connections from 1 in accept order.
	Conn    int
	Version frame.Version
	Stream  int16
	Opcode  frame.Opcode
	// Query is the CQL text of a QUERY or PREPARE, and of the statement an
	// EXECUTE runs when its id is known to the node.
	Query string
	// ID is the prepared statement id of an EXECUTE.
	ID []byte
	// Msg is the decoded request (*frame.Query, *frame.Execute, ...), nil
	// when it could not be decoded or its version was refused.
	Msg           frame.Message
	CustomPayload map[string][]byte
}

// Matcher selects requests for a Rule. Any func will do; the constructors
// below cover the usual conditions.
type Matcher func(*Request) bool

// Rule is a scripted reaction: the first rule whose Match accepts a request
// reacts to it. A nil Match accepts every request; a nil Then is Builtin.
type Rule struct {
	Match Matcher
	Then  Reaction
}

// Op matches requests with opcode op.
func Op(op frame.Opcode) Matcher { return func(r *Request) bool { return r.Opcode == op } }

// Query matches QUERY requests whose text is q, up to runs of white space
// and a final semicolon.
func Query(q string) Matcher {
	q = normalize(q)
	return func(r *Request) bool { return r.Opcode == frame.OpQuery && normalize(r.Query) == q }
}

// QueryPrefix matches QUERY requests whose text starts with prefix.
func QueryPrefix(prefix string) Matcher {
	return func(r *Request) bool {
		return r.Opcode == frame.OpQuery && strings.HasPrefix(strings.TrimSpace(r.Query), prefix)
	}
}

// QueryContains matches QUERY requests whose text contains s.
func QueryContains(s string) Matcher {
	return func(r *Request) bool { return r.Opcode == frame.OpQuery && strings.Contains(r.Query, s) }
}

// Prepare matches PREPARE requests of the statement q.
func Prepare(q string) Matcher {
	q = normalize(q)
	return func(r *Request) bool { return r.Opcode == frame.OpPrepare && normalize(r.Query) == q }
}

// Execute matches EXECUTE requests of the statement q, prepared on this
// node before.
func Execute(q string) Matcher {
	q = normalize(q)
	return func(r *Request) bool { return r.Opcode == frame.OpExecute && normalize(r.Query) == q }
}

// ExecuteID matches EXECUTE requests of the prepared statement id, known
// to the node or not.
func ExecuteID(id []byte) Matcher {
	id = bytes.Clone(id)
	return func(r *Request) bool { return r.Opcode == frame.OpExecute && bytes.Equal(r.ID, id) }
}

// Statement matches the statement q run either way: as a QUERY or as the
// EXECUTE of its prepared form.
func Statement(q string) Matcher {
	q = normalize(q)
	return func(r *Request) bool {
		return (r.Opcode == frame.OpQuery || r.Opcode == frame.OpExecute) && normalize(r.Query) == q
	}
}

// Nth matches the node's n-th request (Request.Seq == n).
func Nth(n int) Matcher { return func(r *Request) bool { return r.Seq == n } }

// OnConn matches requests on the node's id-th connection (Request.Conn).
func OnConn(id int) Matcher { return func(r *Request) bool { return r.Conn == id } }

// All matches requests that every m matches.
func All(ms ...Matcher) Matcher {
	return func(r *Request) bool {
		for _, m := range ms {
			if !m(r) {
				return false
			}
		}
		return true
	}
}

// Any matches requests that at least one m matches.
func Any(ms ...Matcher) Matcher {
	return func(r *Request) bool {
		for _, m := range ms {
			if m(r) {
				return true
			}
		}
		return false
	}
}

// normalize collapses white space runs and drops a final semicolon.
func normalize(q string) string {
	q = strings.Join(strings.Fields(q), " ")
	return strings.TrimSpace(strings.TrimSuffix(q, ";"))
}

// Reaction is what the node does with a request. Reactions run on the
// request's own goroutine once the handshake is over, so a slow one does
// not hold back the other requests of its connection.
type Reaction interface {
	react(x *exchange)
}

// exchange is one request being answered.
type exchange struct {
	c   *conn
	req *Request
}

func (x *exchange) reply(m frame.Message) { x.c.reply(x.req, m) }

type reactFunc func(x *exchange)

func (f reactFunc) react(x *exchange) { f(x) }

// Builtin answers as the node does without rules (see the package doc). It
// lets a rule delay or limit the normal answer: Delay(d, Builtin()).
func Builtin() Reaction { return reactFunc(func(x *exchange) { x.c.builtin(x) }) }

// Respond answers with m, any response message.
func Respond(m frame.Message) Reaction { return reactFunc(func(x *exchange) { x.reply(m) }) }

// Error answers with the server error err, such as
// &frame.UnavailableError{...} or &frame.OverloadedError{...}.
func Error(err frame.ServerError) Reaction { return Respond(&frame.ErrorResponse{Err: err}) }

// Void answers with a VOID result.
func Void() Reaction { return Respond(&frame.VoidResult{}) }

// Rows answers with a ROWS result of the given cells: rows[i][j] is column
// j of row i, encoded (see the *Cell helpers); a nil cell is null.
// meta.ColumnCount is filled from meta.Columns when zero.
func Rows(meta frame.RowsMetadata, rows [][][]byte) Reaction {
	m := rowsResult(meta, rows)
	return Respond(m)
}

func rowsResult(meta frame.RowsMetadata, rows [][][]byte) *frame.RowsResult {
	if meta.ColumnCount == 0 {
		meta.ColumnCount = len(meta.Columns)
	}
	var data []byte
	for _, row := range rows {
		for _, cell := range row {
			data = frame.AppendBytes(data, cell)
		}
	}
	return &frame.RowsResult{Metadata: meta, RowCount: len(rows), Data: data}
}

// Prepared answers a PREPARE with a PREPARED result carrying the given
// bind marker and result metadata, and remembers the statement so that
// later EXECUTEs of it are known. Its id is the md5 of the query text.
func Prepared(params frame.PreparedMetadata, result frame.RowsMetadata) Reaction {
	return reactFunc(func(x *exchange) { x.c.prepare(x, params, result) })
}

// Unprepared answers an EXECUTE with UNPREPARED for its id, as a node that
// lost its statement cache does. Once(Unprepared()) makes the driver
// re-prepare once.
func Unprepared() Reaction {
	return reactFunc(func(x *exchange) { x.reply(unprepared(x.req.ID)) })
}

// Delay waits d, then reacts with then (Builtin when nil). A connection or
// node closed meanwhile cancels the wait and the answer.
func Delay(d time.Duration, then Reaction) Reaction {
	if then == nil {
		then = Builtin()
	}
	return reactFunc(func(x *exchange) {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			then.react(x)
		case <-x.c.done:
		}
	})
}

// Drop closes the connection without answering.
func Drop() Reaction { return reactFunc(func(x *exchange) { x.c.close() }) }

// Hang never answers the request but keeps the connection and answers its
// other requests.
func Hang() Reaction { return reactFunc(func(*exchange) {}) }

// Garbage writes b on the socket as it is, instead of an answer.
func Garbage(b []byte) Reaction {
	b = bytes.Clone(b)
	return reactFunc(func(x *exchange) { x.c.writeRaw(b) })
}

// Func decides the reaction per request; a nil result means Builtin.
func Func(f func(*Request) Reaction) Reaction {
	return reactFunc(func(x *exchange) {
		r := f(x.req)
		if r == nil {
			r = Builtin()
		}
		r.react(x)
	})
}

// Times makes a rule react with r to the first n requests it matches; it
// then lets later requests fall through to the next rules. Times counts only
// as the Then of a Rule; nested in another reaction it is plain r.
func Times(n int, r Reaction) Reaction {
	if r == nil {
		r = Builtin()
	}
	t := &times{r: r}
	t.left.Store(int64(n))
	return t
}

// Once is Times(1, r).
func Once(r Reaction) Reaction { return Times(1, r) }

// limited is a reaction that takes part in rule selection.
type limited interface{ take() bool }

type times struct {
	left atomic.Int64
	r    Reaction
}

func (t *times) take() bool        { return t.left.Add(-1) >= 0 }
func (t *times) react(x *exchange) { t.r.react(x) }

// PreparedID returns the id the node gives to the statement q: the md5 of
// its text.
func PreparedID(q string) []byte {
	sum := md5.Sum([]byte(q))
	return sum[:]
}
