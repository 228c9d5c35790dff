package cassandratest

import (
	"bytes"
	"encoding/binary"
	"sync/atomic"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// Reaction is what the node does with a request. Reactions run on the
// request's own goroutine once the handshake is over, so a slow one does
// not hold back the other requests of its connection. A Reaction value
// holds no per-request state, so one may serve many requests, rules and
// nodes at once; Times and Once count across all of them.
type Reaction interface {
	react(x *exchange)
}

// exchange is one request being answered, with the options reactions
// wrapped around the answer.
type exchange struct {
	c        *conn
	req      *Request
	warnings []string // Warn
	half     bool     // HalfFrame
}

func (x *exchange) reply(m frame.Message) {
	x.c.replyOpts(x.req, m, writeOpts{warnings: x.warnings, half: x.half, traced: x.req.Tracing, traceID: x.req.TraceID})
}

func (x *exchange) protocolError(msg string) {
	x.reply(&frame.ErrorResponse{Err: &frame.ProtocolError{Msg: msg}})
}

type reactFunc func(x *exchange)

func (f reactFunc) react(x *exchange) { f(x) }

// Builtin answers as the node does without rules (see the package doc). It
// lets a rule delay or limit the normal answer: Delay(d, Builtin()).
func Builtin() Reaction { return reactFunc(func(x *exchange) { x.c.builtin(x) }) }

// Respond answers with m, any response message.
func Respond(m frame.Message) Reaction { return reactFunc(func(x *exchange) { x.reply(m) }) }

// Error answers with the server error err. Every error code of the
// protocol has its type in package frame, with the fields Cassandra sends
// (each also has Msg, the server's message):
//
//	*frame.UnavailableError{Consistency, Required, Alive}     not enough replicas alive
//	*frame.OverloadedError                                     coordinator overloaded
//	*frame.BootstrappingError                                  coordinator bootstrapping
//	*frame.ReadTimeoutError{Consistency, Received, BlockFor, DataPresent}
//	*frame.WriteTimeoutError{Consistency, Received, BlockFor, WriteType, Contentions}
//	*frame.ReadFailureError{Consistency, Received, BlockFor, NumFailures, Reasons, DataPresent}
//	*frame.WriteFailureError{Consistency, Received, BlockFor, NumFailures, Reasons, WriteType}
//	*frame.CASWriteUnknownError{Consistency, Received, BlockFor}
//	*frame.CDCWriteFailureError, *frame.TruncateError
//	*frame.FunctionFailureError{Keyspace, Function, ArgTypes}
//	*frame.SyntaxError, *frame.InvalidError, *frame.ConfigError, *frame.UnauthorizedError
//	*frame.AlreadyExistsError{Keyspace, Table}
//	*frame.UnpreparedError{ID}                                 see also Unprepared
//	*frame.InternalError                                       SERVER_ERROR, a server bug
//	*frame.ProtocolError, *frame.BadCredentialsError
//	*frame.UnknownServerError{ErrorCode, Rest}                 a code the protocol lacks
//
// Fields a protocol version lacks (Reasons before v5, Contentions outside
// v5 CAS writes) are left out of its frames, as Cassandra does.
func Error(err frame.ServerError) Reaction { return Respond(&frame.ErrorResponse{Err: err}) }

// Void answers with a VOID result.
func Void() Reaction { return Respond(&frame.VoidResult{}) }

// Rows answers with a ROWS result of the given cells: rows[i][j] is column
// j of row i, encoded (see the *Cell helpers); a nil cell is null.
// meta.ColumnCount is filled from meta.Columns when zero. The answer is one
// page whatever the request's page size; see PagedRows for paging.
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

// PagedRows answers a QUERY or EXECUTE with the page of rows it asks for,
// as Cassandra pages a result: at most the request's page size of rows
// (all of them when it sets none), starting where its paging state says,
// with a paging state for the next page when rows remain. The paging
// state is the node's own (an offset); one it did not make is answered
// with a PROTOCOL_ERROR, as Cassandra does. Requests of other kinds get
// the first page of a default size of 5000.
func PagedRows(meta frame.RowsMetadata, rows [][][]byte) Reaction {
	meta.PagingState = nil
	return reactFunc(func(x *exchange) {
		var p frame.QueryParams
		switch m := x.req.Msg.(type) {
		case *frame.Query:
			p = m.Params
		case *frame.Execute:
			p = m.Params
		default:
			p.PageSize = 5000
		}
		from := 0
		if p.PagingState != nil {
			if len(p.PagingState) != len(pagingMagic)+4 || !bytes.HasPrefix(p.PagingState, pagingMagic) {
				x.protocolError("Invalid value for the paging state")
				return
			}
			from = int(binary.BigEndian.Uint32(p.PagingState[len(pagingMagic):]))
		}
		from = min(from, len(rows))
		to := len(rows)
		if p.PageSize > 0 {
			to = min(from+int(p.PageSize), len(rows))
		}
		md := meta
		if to < len(rows) {
			md.PagingState = binary.BigEndian.AppendUint32(bytes.Clone(pagingMagic), uint32(to))
		}
		x.reply(rowsResult(md, rows[from:to]))
	})
}

// pagingMagic starts the paging states of PagedRows.
var pagingMagic = []byte("cassandratest/page:")

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
	then = orBuiltin(then)
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

// HalfFrame writes the first half of the answer then would give (Builtin
// when nil) and closes the connection: the frame's header, which announces
// the whole body, and half of the body (in protocol v5, the segment header
// and half of the rest of the segment). The client reads a frame that ends
// early, as when a node dies in the middle of a write; every request in
// flight on the connection is then lost with it. The connection is closed
// also when then writes no answer (Hang) or closes it first (Drop).
//
// The node closes rather than stalls because a stalled half frame would
// hold back every other answer on the connection and the events sent to
// it; to have a connection go silent, Hang every request on it.
func HalfFrame(then Reaction) Reaction {
	then = orBuiltin(then)
	return reactFunc(func(x *exchange) {
		x.half = true
		then.react(x)
		x.c.close()
	})
}

// PushEvent reacts with then (Builtin when nil), then pushes ev on stream
// -1 to every connection of the node that REGISTERed for ev.Type, as
// Node.SendEvent does: a CREATE TABLE answered with a schema change and
// followed by its SCHEMA_CHANGE event, say. ev is sent after the answer
// is written, whatever then answered.
func PushEvent(ev *frame.Event, then Reaction) Reaction {
	then = orBuiltin(then)
	return reactFunc(func(x *exchange) {
		then.react(x)
		x.c.n.SendEvent(ev)
	})
}

// Warn reacts with then (Builtin when nil) and attaches the server
// warnings ws to its answer, as Cassandra warns about large batches or
// tombstones (protocol v4 and later; in v3 the warnings are left out).
func Warn(ws []string, then Reaction) Reaction {
	then = orBuiltin(then)
	ws = append([]string{}, ws...)
	return reactFunc(func(x *exchange) {
		x.warnings = ws
		then.react(x)
	})
}

// Func decides the reaction per request; a nil result means Builtin.
func Func(f func(*Request) Reaction) Reaction {
	return reactFunc(func(x *exchange) { orBuiltin(f(x.req)).react(x) })
}

func orBuiltin(r Reaction) Reaction {
	if r == nil {
		return Builtin()
	}
	return r
}

// Times makes a rule react with r to the first n requests it matches; it
// then lets later requests fall through to the next rules. Times counts only
// as the Then of a Rule; nested in another reaction it is plain r. One
// Times value added to several rules or nodes counts across all of them:
// Once(Error(...)) added to every node of a cluster fails the first
// attempt, on whichever node it lands.
func Times(n int, r Reaction) Reaction {
	t := &times{r: orBuiltin(r)}
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
