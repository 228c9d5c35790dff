package conn

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// handshake runs OPTIONS, STARTUP and authentication synchronously on the
// fresh socket, before the reader and writer start. The context's deadline
// bounds every read and write.
func (c *Conn) handshake(ctx context.Context) error {
	if dl, ok := ctx.Deadline(); ok {
		_ = c.nc.SetDeadline(dl)
	}
	stop := context.AfterFunc(ctx, func() { _ = c.nc.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	defer func() { _ = c.nc.SetDeadline(time.Time{}) }()
	c.framing.init(c.version, c.cfg.MaxBody, c.nc)
	c.framing.dst = c.bodyDst

	resp, err := c.roundTrip(ctx, &frame.Options{})
	if err != nil {
		return err
	}
	sup, ok := resp.(*frame.Supported)
	if !ok {
		return c.unexpected("OPTIONS", resp)
	}
	startup := map[string]string{"CQL_VERSION": "3.0.0"}
	if v := sup.Options["CQL_VERSION"]; len(v) > 0 {
		startup["CQL_VERSION"] = v[0]
	}
	if c.cfg.DriverName != "" {
		startup["DRIVER_NAME"] = c.cfg.DriverName
		startup["DRIVER_VERSION"] = c.cfg.DriverVersion
	}
	// The client's identity, shown in system_views.clients (4.0+).
	for k, v := range map[string]string{"APPLICATION_NAME": c.cfg.ApplicationName, "APPLICATION_VERSION": c.cfg.ApplicationVersion, "CLIENT_ID": c.cfg.ClientID} {
		if v != "" {
			startup[k] = v
		}
	}
	comp := c.chooseCompression(sup.Options["COMPRESSION"])
	if comp != nil {
		startup["COMPRESSION"] = comp.Name()
	}
	// In v3/v4 the server compresses its answer to STARTUP already, so the
	// reader knows the compressor before that answer arrives (frames are
	// decompressed only when their flag says so).
	if c.version < frame.V5 {
		c.framing.comp = comp
	}
	if c.version < frame.V5 {
		// Cassandra compresses its answer to STARTUP (READY or
		// AUTHENTICATE) already: read it with the compressor we asked for.
		// Our own frames are compressed only from the next one on.
		c.framing.comp = comp
	}
	resp, err = c.roundTrip(ctx, &frame.Startup{Options: startup})
	if err != nil {
		return err
	}
	// From here v3/v4 bodies are compressed, and v5 switches to segments.
	c.comp = comp
	c.framing.started(comp)
	switch m := resp.(type) {
	case *frame.Ready:
		return nil
	case *frame.Authenticate:
		return c.authenticate(ctx, m.Authenticator)
	default:
		return c.unexpected("STARTUP", resp)
	}
}

// chooseCompression picks the configured algorithm if the server offers
// it. v5 compresses segments and only with LZ4.
func (c *Conn) chooseCompression(offered []string) frame.Compressor {
	want := c.cfg.Compression
	if want == NoCompression {
		return nil
	}
	if c.version >= frame.V5 && want != LZ4 {
		c.cfg.Logger.Warn("cassandra: protocol v5 compresses only with lz4; connection uncompressed", "host", c.addr, "compression", want)
		return nil
	}
	comp := want.Compressor()
	if !slices.Contains(offered, comp.Name()) {
		c.cfg.Logger.Warn("cassandra: server does not offer the configured compression; connection uncompressed", "host", c.addr, "compression", want, "offered", offered)
		return nil
	}
	return comp
}

func (c *Conn) authenticate(ctx context.Context, class string) error {
	if c.cfg.Auth == nil {
		return &AuthError{Host: c.addr, Authenticator: class, Msg: "the server requires authentication and Cluster.Auth is nil"}
	}
	tok, sess, err := c.cfg.Auth.Begin(ctx, class)
	if err != nil {
		return &AuthError{Host: c.addr, Authenticator: class, Msg: err.Error()}
	}
	for {
		resp, err := c.roundTrip(ctx, &frame.AuthResponse{Token: tok})
		if err != nil {
			return err
		}
		switch m := resp.(type) {
		case *frame.AuthSuccess:
			if err := sess.Success(m.Token); err != nil {
				return &AuthError{Host: c.addr, Authenticator: class, Msg: err.Error()}
			}
			return nil
		case *frame.AuthChallenge:
			if tok, err = sess.Challenge(ctx, m.Token); err != nil {
				return &AuthError{Host: c.addr, Authenticator: class, Msg: err.Error()}
			}
		default:
			return c.unexpected("AUTH_RESPONSE", resp)
		}
	}
}

// roundTrip writes req on stream 0 and reads its answer, for the handshake
// only. A server ERROR comes back as an error; a protocol version the server
// refuses becomes a *ProtocolVersionError.
func (c *Conn) roundTrip(ctx context.Context, req frame.Message) (frame.Message, error) {
	buf, err := c.encode(nil, 0, req, nil, false)
	if err != nil {
		return nil, err
	}
	out, err := c.framing.appendOut(nil, [][]byte{buf})
	if err == nil {
		_, err = c.nc.Write(out)
	}
	if err != nil {
		return nil, c.ioErr(ctx, "handshake", err)
	}
	for {
		f, err := c.framing.readFrame(c.br)
		if err != nil {
			var vErr *frame.UnsupportedVersionError
			if errors.As(err, &vErr) {
				if vErr.Header&0x80 != 0 && vErr.Version >= 1 && vErr.Version <= 6 {
					// A response header of another protocol version: an
					// older (or newer) server refusing ours.
					return nil, &ProtocolVersionError{Host: c.addr, Version: c.version, Explicit: c.cfg.ExplicitVersion, ServerMsg: fmt.Sprintf("server answered with protocol version %d", vErr.Version)}
				}
				return nil, &ConnError{Host: c.addr, Op: "handshake", Err: fmt.Errorf("the server's answer is not a CQL frame (first byte 0x%02x): %w", vErr.Header, err)}
			}
			return nil, c.ioErr(ctx, "handshake", err)
		}
		if f.Header.Stream < 0 {
			continue // an event before READY: not ours
		}
		if f.Header.Version != c.version {
			// Servers answer a version they do not speak with an error in
			// their own version.
			msg := ""
			if f.Header.Opcode == frame.OpError {
				var em frame.ErrorResponse
				if em.Decode(f.Body, f.Header.Version) == nil {
					msg = em.Err.Message()
				}
			}
			return nil, &ProtocolVersionError{Host: c.addr, Version: c.version, Explicit: c.cfg.ExplicitVersion, ServerMsg: msg}
		}
		m, err := decodeResponse(f, c.version)
		if err != nil {
			var pe *frame.ProtocolError
			if errors.As(err, &pe) && isVersionRefusal(pe.Msg) {
				return nil, &ProtocolVersionError{Host: c.addr, Version: c.version, Explicit: c.cfg.ExplicitVersion, ServerMsg: pe.Msg}
			}
			var de *frame.DecodeError
			if errors.As(err, &de) {
				return nil, &ConnError{Host: c.addr, Op: "decode", Err: err}
			}
			return nil, err
		}
		return m, nil
	}
}

// isVersionRefusal recognises the server's words for a protocol version it
// does not accept (Cassandra and Scylla phrase it alike), and the beta flag
// Cassandra 4.0 wanted for v5.
func isVersionRefusal(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "unsupported protocol version") || strings.Contains(m, "invalid or unsupported protocol version") ||
		strings.Contains(m, "beta version of the protocol") || strings.Contains(m, "use_beta")
}

func (c *Conn) unexpected(after string, m frame.Message) error {
	return &ConnError{Host: c.addr, Op: "handshake", Err: fmt.Errorf("unexpected %s in answer to %s", m.Opcode(), after)}
}

// ioErr turns an I/O error during the handshake into a ConnError, or a
// TimeoutError when the context ended.
func (c *Conn) ioErr(ctx context.Context, op string, err error) error {
	if ctx.Err() != nil {
		return &TimeoutError{Host: c.addr, Err: ctx.Err()}
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The socket deadline is the context's: it may fire a moment
		// before the context's own timer does.
		return &TimeoutError{Host: c.addr, Err: context.DeadlineExceeded}
	}
	return &ConnError{Host: c.addr, Op: op, Err: err}
}

// decodeResponse decodes a response frame's body. ERROR frames become the
// server's error.
func decodeResponse(f frame.Frame, v frame.Version) (frame.Message, error) {
	var m frame.Message
	switch f.Header.Opcode {
	case frame.OpError:
		var em frame.ErrorResponse
		if err := em.Decode(f.Body, v); err != nil {
			return nil, err
		}
		return nil, em.Err
	case frame.OpResult:
		return frame.DecodeResult(f.Body, v)
	case frame.OpReady:
		m = &frame.Ready{}
	case frame.OpAuthenticate:
		m = &frame.Authenticate{}
	case frame.OpSupported:
		m = &frame.Supported{}
	case frame.OpAuthChallenge:
		m = &frame.AuthChallenge{}
	case frame.OpAuthSuccess:
		m = &frame.AuthSuccess{}
	case frame.OpEvent:
		m = &frame.Event{}
	default:
		return nil, &frame.DecodeError{What: "response", Err: fmt.Errorf("%v is not a response", f.Header.Opcode)}
	}
	if err := m.Decode(f.Body, v); err != nil {
		return nil, err
	}
	return m, nil
}
