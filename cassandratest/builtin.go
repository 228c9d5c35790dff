package cassandratest

import (
	"bytes"
	"crypto/md5"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/cqlgo/cassandra/frame"
)

// CQLVersion is the CQL version the node announces, Cassandra 5.0's.
const CQLVersion = "3.4.7"

// builtin is the node's behaviour without rules.
func (c *conn) builtin(x *exchange) {
	req := x.req
	switch req.Opcode {
	case frame.OpOptions:
		x.reply(c.n.supported())
		return
	case frame.OpStartup:
		c.startup(x)
		return
	case frame.OpAuthResponse:
		c.authResponse(x)
		return
	}
	switch c.getState() {
	case stateNew:
		x.protocolError(fmt.Sprintf("Unexpected message %v, expecting STARTUP or OPTIONS", req.Opcode))
		return
	case stateAuth:
		x.reply(&frame.ErrorResponse{Err: &frame.UnauthorizedError{Msg: "You have not logged in"}})
		return
	}
	switch m := req.Msg.(type) {
	case *frame.Register:
		c.register(m.EventTypes)
		x.reply(&frame.Ready{})
	case *frame.Query:
		c.statement(x, m.Query)
	case *frame.Prepare:
		c.prepare(x, frame.PreparedMetadata{}, frame.RowsMetadata{})
	case *frame.Execute:
		p := c.n.lookup(m.ID)
		if p == nil {
			x.reply(unprepared(m.ID))
			return
		}
		c.statement(x, p.query)
	case *frame.Batch:
		for _, s := range m.Statements {
			if s.ID != nil && c.n.lookup(s.ID) == nil {
				x.reply(unprepared(s.ID))
				return
			}
		}
		c.handler(x)
	default:
		x.protocolError(fmt.Sprintf("Unexpected message %v", req.Opcode))
	}
}

// supported is the SUPPORTED answer to OPTIONS.
func (n *Node) supported() *frame.Supported {
	versions := make([]string, len(n.versions))
	for i, v := range n.versions {
		versions[i] = fmt.Sprintf("%d/v%d", byte(v), byte(v))
	}
	return &frame.Supported{Options: map[string][]string{
		"CQL_VERSION":       {CQLVersion},
		"COMPRESSION":       slices.Clone(n.cfg.Compression),
		"PROTOCOL_VERSIONS": versions,
	}}
}

func (c *conn) startup(x *exchange) {
	st := x.req.Msg.(*frame.Startup)
	if c.getState() != stateNew {
		x.protocolError("Unexpected message STARTUP, the connection is already initialized")
		return
	}
	if startupOption(st, frame.StartupCQLVersion) == "" {
		x.protocolError("Missing value CQL_VERSION in STARTUP message")
		return
	}
	if name := startupOption(st, frame.StartupCompression); name != "" {
		lower := strings.ToLower(name)
		switch {
		case compressor(lower) == nil || !slices.Contains(c.n.cfg.Compression, lower):
			x.protocolError("Unknown compression algorithm: " + name)
			return
		case lower == "snappy" && x.req.Version >= frame.V5:
			x.protocolError("Snappy compression is not supported in protocol V5")
			return
		}
	}
	if c.n.cfg.Authenticator != "" {
		x.reply(&frame.Authenticate{Authenticator: c.n.cfg.Authenticator})
		return
	}
	x.reply(&frame.Ready{})
}

func (c *conn) authResponse(x *exchange) {
	if c.getState() != stateAuth {
		x.protocolError("Unexpected message AUTH_RESPONSE, no authentication in progress")
		return
	}
	token := x.req.Msg.(*frame.AuthResponse).Token
	// PLAIN SASL: authzid NUL authcid NUL password.
	parts := bytes.SplitN(token, []byte{0}, 3)
	var user, pass string
	if len(parts) == 3 {
		user, pass = string(parts[1]), string(parts[2])
	}
	if len(parts) != 3 || user != c.n.cfg.Username || pass != c.n.cfg.Password {
		x.reply(&frame.ErrorResponse{Err: &frame.BadCredentialsError{
			Msg: fmt.Sprintf("Provided username %s and/or password are incorrect", user)}})
		return
	}
	x.reply(&frame.AuthSuccess{})
}

var useRE = regexp.MustCompile(`(?is)^use\s+("(?:[^"]|"")+"|\w+)$`)

// statement answers a QUERY or the EXECUTE of a prepared statement q:
// system tables and USE are built in, the rest goes to Config.Handler.
func (c *conn) statement(x *exchange, q string) {
	if m := c.n.systemQuery(q); m != nil {
		x.reply(m)
		return
	}
	if g := useRE.FindStringSubmatch(normalize(q)); g != nil {
		ks := g[1]
		if strings.HasPrefix(ks, `"`) {
			ks = strings.ReplaceAll(ks[1:len(ks)-1], `""`, `"`)
		} else {
			ks = strings.ToLower(ks)
		}
		x.reply(&frame.SetKeyspaceResult{Keyspace: ks})
		return
	}
	c.handler(x)
}

// handler hands x to Config.Handler, or answers VOID.
func (c *conn) handler(x *exchange) {
	if h := c.n.cfg.Handler; h != nil {
		if r := h(x.req); r != nil {
			r.react(x)
			return
		}
	}
	x.reply(&frame.VoidResult{})
}

// prepare answers a PREPARE with params and result as metadata and
// remembers the statement under the md5 of its text.
func (c *conn) prepare(x *exchange, params frame.PreparedMetadata, result frame.RowsMetadata) {
	if x.req.Opcode != frame.OpPrepare {
		x.protocolError(fmt.Sprintf("cassandratest: Prepared reaction to %v", x.req.Opcode))
		return
	}
	id := PreparedID(x.req.Query)
	c.n.mu.Lock()
	c.n.prepared[string(id)] = &prepared{query: x.req.Query, params: params, result: result}
	c.n.mu.Unlock()
	res := &frame.PreparedResult{ID: id, Params: params, Result: result}
	if x.req.Version >= frame.V5 {
		md, _ := frame.AppendRowsMetadata(nil, &result, x.req.Version)
		sum := md5.Sum(md)
		res.ResultMetadataID = sum[:]
	}
	x.reply(res)
}

func unprepared(id []byte) *frame.ErrorResponse {
	return &frame.ErrorResponse{Err: &frame.UnpreparedError{
		ID:  bytes.Clone(id),
		Msg: fmt.Sprintf("Prepared query with ID %x not found (either the query was not prepared on this host (maybe the host has been restarted?) or you have prepared too many queries and it has been evicted from the internal cache)", id),
	}}
}
