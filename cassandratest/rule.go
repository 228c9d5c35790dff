package cassandratest

import (
	"bytes"
	"crypto/md5"
	"sort"
	"strings"
	"sync"

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

	// Keyspace is the keyspace the request runs in: the one it names
	// itself (protocol v5 QUERY, PREPARE, EXECUTE and BATCH), else the
	// connection's, set by the last USE the node answered on it; empty
	// when neither.
	Keyspace string
	// Consistency is the consistency level of a QUERY, EXECUTE or BATCH
	// (zero, which is ANY, for other requests).
	Consistency frame.Consistency
	// Tracing reports that the request asked to be traced. The node then
	// answers it with a tracing session id, TraceID, as Cassandra does;
	// the rows of system_traces are up to rules.
	Tracing bool
	TraceID [16]byte

	n *Node // the node that received it, for NthMatch
}

// Values returns the values bound to a QUERY or EXECUTE, by position, nil
// for other requests. A Func reaction decodes them with cqltype.Unmarshal
// and the types of the statement's bind markers to answer by key.
func (r *Request) Values() []frame.Value {
	switch m := r.Msg.(type) {
	case *frame.Query:
		return m.Params.Values
	case *frame.Execute:
		return m.Params.Values
	}
	return nil
}

// Matcher selects requests for a Rule. Any func will do; the constructors
// below cover the usual conditions. A Matcher is called on the request's
// goroutine and, for requests of different connections, concurrently: one
// that keeps state must lock it.
type Matcher func(*Request) bool

// Rule is a scripted reaction: the first rule whose Match accepts a request
// reacts to it. A nil Match accepts every request; a nil Then is Builtin.
type Rule struct {
	Match Matcher
	Then  Reaction
}

// RuleID identifies a rule added with Node.AddRuleID, for RemoveRule.
type RuleID int

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

// Keyspace matches requests that run in keyspace ks (Request.Keyspace).
func Keyspace(ks string) Matcher { return func(r *Request) bool { return r.Keyspace == ks } }

// Consistency matches QUERY, EXECUTE and BATCH requests at consistency
// level c.
func Consistency(c frame.Consistency) Matcher {
	return func(r *Request) bool {
		switch r.Opcode {
		case frame.OpQuery, frame.OpExecute, frame.OpBatch:
			return r.Consistency == c
		}
		return false
	}
}

// Nth matches the node's n-th request (Request.Seq == n).
func Nth(n int) Matcher { return func(r *Request) bool { return r.Seq == n } }

// NthMatch matches the n-th request (from 1) of the node that m accepts,
// in arrival order. Like Nth it counts every request the node received,
// whichever rule answered it and whatever other matchers of an All say,
// so All(OnConn(2), NthMatch(3, Op(frame.OpQuery))) matches the third
// query of the node if it came on connection 2, not the third query of
// connection 2 (write NthMatch(3, All(OnConn(2), Op(frame.OpQuery))) for
// that). The count reads the request log: requests forgotten by
// ResetRequests before the n-th was seen are not counted. A NthMatch
// shared by several nodes counts for each node apart.
func NthMatch(n int, m Matcher) Matcher {
	s := &nthMatch{n: n, m: m, nodes: map[*Node]*nthScan{}}
	return s.match
}

type nthMatch struct {
	n     int
	m     Matcher
	mu    sync.Mutex
	nodes map[*Node]*nthScan
}

// nthScan is how far a NthMatch has read one node's request log.
type nthScan struct {
	scanned int // requests with Seq <= scanned were looked at
	found   int // how many of them m accepted
	hit     int // Seq of the n-th, 0 until found
}

func (s *nthMatch) match(r *Request) bool {
	if r.n == nil || s.n <= 0 {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sc := s.nodes[r.n]
	if sc == nil {
		sc = &nthScan{}
		s.nodes[r.n] = sc
	}
	if sc.hit == 0 && r.Seq > sc.scanned {
		reqs := r.n.logged(sc.scanned, r.Seq)
		sc.scanned = r.Seq
		for i := range reqs {
			if s.m == nil || s.m(&reqs[i]) {
				if sc.found++; sc.found == s.n {
					sc.hit = reqs[i].Seq
					break
				}
			}
		}
	}
	return sc.hit != 0 && r.Seq == sc.hit
}

// logged returns copies of the logged requests with lo < Seq <= hi.
func (n *Node) logged(lo, hi int) []Request {
	n.mu.Lock()
	defer n.mu.Unlock()
	i := sort.Search(len(n.requests), func(i int) bool { return n.requests[i].Seq > lo })
	j := sort.Search(len(n.requests), func(i int) bool { return n.requests[i].Seq > hi })
	return append([]Request(nil), n.requests[i:j]...)
}

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

// PreparedID returns the id the node gives to the statement q: the md5 of
// its text.
func PreparedID(q string) []byte {
	sum := md5.Sum([]byte(q))
	return sum[:]
}
