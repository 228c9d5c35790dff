package frame

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"runtime"
	"testing"
	"testing/iotest"
)

func TestHeaderGolden(t *testing.T) {
	cases := []struct {
		name string
		h    Header
		want string
	}{
		// version | flags | stream (2) | opcode | length (4)
		{"v3_request_query", Header{Version: V3, Flags: FlagTracing, Stream: 0x0102, Opcode: OpQuery, Length: 0x20},
			"03" + "02" + "0102" + "07" + "00000020"},
		{"v3_response_event", Header{Version: V3, Response: true, Stream: -1, Opcode: OpEvent, Length: 1},
			"83" + "00" + "ffff" + "0c" + "00000001"},
		{"v4_request_execute", Header{Version: V4, Flags: FlagCompression | FlagCustomPayload, Stream: 32767, Opcode: OpExecute, Length: 0x01020304},
			"04" + "05" + "7fff" + "0a" + "01020304"},
		{"v4_response_result_warnings", Header{Version: V4, Response: true, Flags: FlagTracing | FlagWarning, Stream: 7, Opcode: OpResult, Length: 0},
			"84" + "0a" + "0007" + "08" + "00000000"},
		{"v5_request_startup_beta", Header{Version: V5, Flags: FlagBeta, Opcode: OpStartup, Length: 22},
			"05" + "10" + "0000" + "01" + "00000016"},
		{"v5_response_ready", Header{Version: V5, Response: true, Stream: 0x100, Opcode: OpReady},
			"85" + "00" + "0100" + "02" + "00000000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := AppendHeader(nil, tc.h)
			if hex.EncodeToString(got) != tc.want {
				t.Fatalf("got %x want %s", got, tc.want)
			}
			back, err := DecodeHeader(got, 0)
			if err != nil || back != tc.h {
				t.Fatalf("decode: %+v, %v", back, err)
			}
		})
	}
}

func TestAppendFrameGolden(t *testing.T) {
	id := [16]byte{0: 0xaa, 15: 0xbb}
	cases := []struct {
		name string
		h    Header
		env  *Envelope
		m    Message
		want string
	}{
		{
			name: "request_tracing_no_id",
			h:    Header{Version: V4, Flags: FlagTracing, Stream: 3},
			m:    &framingTestMessage{op: OpQuery, body: []byte{1, 2}},
			want: "04" + "02" + "0003" + "07" + "00000002" + "0102",
		},
		{
			name: "request_custom_payload",
			h:    Header{Version: V4, Stream: 1},
			env:  &Envelope{CustomPayload: map[string][]byte{"k": {9}}},
			m:    &framingTestMessage{op: OpExecute, body: []byte{1}},
			// bytes map: n=1, "k", [bytes] 1 byte 09; then the body.
			want: "04" + "04" + "0001" + "0a" + "0000000b" + "0001" + "0001" + "6b" + "00000001" + "09" + "01",
		},
		{
			name: "response_tracing_warnings_payload_in_order",
			h:    Header{Version: V5, Flags: FlagTracing, Stream: 1},
			env:  &Envelope{TracingID: id, Warnings: []string{"w"}, CustomPayload: map[string][]byte{}},
			m:    &framingTestMessage{op: OpResult, body: []byte{0, 0, 0, 1}},
			want: "85" + "0e" + "0001" + "08" + "0000001b" + // 16+5+2+4 bytes
				"aa0000000000000000000000000000bb" + // tracing id
				"0001" + "0001" + "77" + // warnings: ["w"]
				"0000" + // empty custom payload
				"00000001", // RESULT Void
		},
		{
			name: "derived_flags_cleared",
			h:    Header{Version: V4, Flags: FlagCompression | FlagWarning | FlagCustomPayload, Stream: 2, Opcode: OpError, Response: true},
			m:    &framingTestMessage{op: OpOptions},
			want: "04" + "00" + "0002" + "05" + "00000000",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := AppendFrame([]byte("pre"), tc.h, tc.env, tc.m, nil)
			if err != nil {
				t.Fatal(err)
			}
			if string(got[:3]) != "pre" || hex.EncodeToString(got[3:]) != tc.want {
				t.Fatalf("got %x\nwant %s", got[3:], tc.want)
			}
		})
	}
}

func TestFrameRoundTrip(t *testing.T) {
	body := bytes.Repeat([]byte("row data "), 50)
	envs := map[string]*Envelope{
		"none":     nil,
		"warnings": {Warnings: []string{"a", "bb"}},
		"payload":  {CustomPayload: map[string][]byte{"x": {1, 2}, "null": nil}},
		"all":      {TracingID: [16]byte{1, 2, 3}, Warnings: []string{}, CustomPayload: map[string][]byte{"y": {}}},
	}
	for _, v := range []Version{V3, V4, V5} {
		for _, c := range []Compressor{nil, LZ4, Snappy} {
			for name, env := range envs {
				for _, resp := range []bool{false, true} {
					if v == V3 && env != nil && (env.Warnings != nil || env.CustomPayload != nil) {
						continue
					}
					if !resp && env != nil && env.Warnings != nil {
						continue
					}
					op := OpQuery
					if resp {
						op = OpResult
					}
					h := Header{Version: v, Flags: FlagTracing, Stream: 9}
					wire, err := AppendFrame(nil, h, env, &framingTestMessage{op: op, body: body}, c)
					if err != nil {
						t.Fatalf("%v/%v/%s: %v", v, c, name, err)
					}
					gh, err := DecodeHeader(wire, 0)
					if err != nil {
						t.Fatal(err)
					}
					if (gh.Flags&FlagCompression != 0) != (c != nil && v != V5) {
						t.Fatalf("%v/%v/%s: compression flag %v", v, c, name, gh.Flags)
					}
					f, _, err := ParseFrame(gh, wire[HeaderSize:], c, nil, 0)
					if err != nil {
						t.Fatalf("%v/%v/%s/%v: %v", v, c, name, resp, err)
					}
					if !bytes.Equal(f.Body, body) {
						t.Fatalf("%v/%v/%s: body differs", v, c, name)
					}
					want := Envelope{}
					if env != nil {
						want = *env
						if !resp {
							want.TracingID = [16]byte{}
						}
					}
					if want.CustomPayload != nil {
						want.CustomPayload = map[string][]byte{}
						for k, val := range env.CustomPayload {
							want.CustomPayload[k] = val
						}
					}
					if !reflect.DeepEqual(f.Envelope, want) {
						t.Fatalf("%v/%v/%s/%v: envelope %+v, want %+v", v, c, name, resp, f.Envelope, want)
					}
				}
			}
		}
	}
}

func TestStartupAndOptionsAreNeverCompressed(t *testing.T) {
	for _, op := range []Opcode{OpStartup, OpOptions} {
		wire, err := AppendFrame(nil, Header{Version: V4}, nil, &framingTestMessage{op: op, body: []byte("plain")}, LZ4)
		if err != nil {
			t.Fatal(err)
		}
		if wire[1]&byte(FlagCompression) != 0 || !bytes.Equal(wire[HeaderSize:], []byte("plain")) {
			t.Fatalf("%v was compressed: %x", op, wire)
		}
	}
}

func TestAppendFrameErrors(t *testing.T) {
	m := &framingTestMessage{op: OpQuery}
	cases := []struct {
		name string
		h    Header
		env  *Envelope
	}{
		{"v3_custom_payload", Header{Version: V3}, &Envelope{CustomPayload: map[string][]byte{}}},
		{"request_warnings", Header{Version: V4}, &Envelope{Warnings: []string{"w"}}},
		{"bad_version", Header{Version: 2}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := AppendFrame([]byte("x"), tc.h, tc.env, m, nil)
			var ee *EncodeError
			if !errors.As(err, &ee) || string(out) != "x" {
				t.Fatalf("got %q, %v", out, err)
			}
		})
	}
}

func TestParseFrameErrors(t *testing.T) {
	resp := func(v Version, f Flags) Header {
		return Header{Version: v, Response: true, Flags: f, Opcode: OpResult}
	}
	cases := []struct {
		name   string
		h      Header
		raw    []byte
		c      Compressor
		max    int
		target error
	}{
		{"response_bit_on_request_opcode", Header{Version: V4, Response: true, Opcode: OpStartup}, nil, nil, 0, nil},
		{"request_bit_on_response_opcode", Header{Version: V4, Opcode: OpResult}, nil, nil, 0, nil},
		{"truncated_tracing_id", resp(V4, FlagTracing), []byte{1, 2, 3}, nil, 0, ErrTruncated},
		{"warning_count_beyond_bytes", resp(V4, FlagWarning), []byte{0xff, 0xff, 0, 1, 'a'}, nil, 0, ErrTruncated},
		{"custom_payload_in_v3", resp(V3, FlagCustomPayload), []byte{0, 0}, nil, 0, nil},
		{"compressed_without_compressor", resp(V4, FlagCompression), []byte{0, 0, 0, 0, 0}, nil, 0, nil},
		{"compression_flag_in_v5", resp(V5, FlagCompression), []byte{0, 0, 0, 0, 0}, LZ4, 0, nil},
		{"compressed_over_max_body", resp(V4, FlagCompression), []byte{0, 0x10, 0, 0, 0}, LZ4, 1000, nil},
		{"corrupt_lz4", resp(V4, FlagCompression), []byte{0, 0, 0, 10, 0xf0}, LZ4, 0, ErrCorruptCompressed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := ParseFrame(tc.h, tc.raw, tc.c, nil, tc.max)
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("%v is not a *DecodeError", err)
			}
			if tc.target != nil && !errors.Is(err, tc.target) {
				t.Fatalf("error %v, want %v", err, tc.target)
			}
		})
	}
}

func TestParseFrameRequestFlagsCarryNoFields(t *testing.T) {
	// A request's tracing and warning flags announce nothing in the body.
	h := Header{Version: V4, Flags: FlagTracing | FlagWarning, Opcode: OpQuery}
	f, _, err := ParseFrame(h, []byte{1, 2, 3}, nil, nil, 0)
	if err != nil || !bytes.Equal(f.Body, []byte{1, 2, 3}) {
		t.Fatalf("%+v, %v", f, err)
	}
}

func TestFramesDoNotAllocateWarm(t *testing.T) {
	m := &framingTestMessage{op: OpResult, body: bytes.Repeat([]byte("cell"), 256)}
	for _, c := range []Compressor{nil, LZ4, Snappy} {
		buf, _ := AppendFrame(nil, Header{Version: V4}, nil, m, c)
		if n := testing.AllocsPerRun(100, func() { buf, _ = AppendFrame(buf[:0], Header{Version: V4}, nil, m, c) }); n != 0 {
			t.Errorf("AppendFrame(%v): %v allocs", c, n)
		}
		h, _ := DecodeHeader(buf, 0)
		scratch := make([]byte, 0, 4096)
		if n := testing.AllocsPerRun(100, func() { _, scratch, _ = ParseFrame(h, buf[HeaderSize:], c, scratch, 0) }); n != 0 {
			t.Errorf("ParseFrame(%v): %v allocs", c, n)
		}
	}
	wire, _ := AppendFrame(nil, Header{Version: V4}, nil, m, nil)
	r := bytes.NewReader(wire)
	buf := make([]byte, 0, 4096)
	if n := testing.AllocsPerRun(100, func() {
		r.Reset(wire)
		_, buf, _ = ReadFrame(r, buf, 0)
	}); n != 0 {
		t.Errorf("ReadFrame: %v allocs", n)
	}
}

func TestReadFrame(t *testing.T) {
	m := &framingTestMessage{op: OpResult, body: bytes.Repeat([]byte{7}, 200<<10)}
	one, _ := AppendFrame(nil, Header{Version: V4, Stream: 1}, nil, m, nil)
	two, _ := AppendFrame(nil, Header{Version: V3, Stream: 2}, nil, &framingTestMessage{op: OpReady}, nil)
	r := iotest.OneByteReader(bytes.NewReader(append(append([]byte{}, one...), two...)))
	var buf []byte
	h, buf, err := ReadFrame(r, buf, 0)
	if err != nil || h.Stream != 1 || !bytes.Equal(buf, one) {
		t.Fatalf("first: %+v %v", h, err)
	}
	h, buf, err = ReadFrame(r, buf, 0)
	if err != nil || h.Stream != 2 || !bytes.Equal(buf, two) {
		t.Fatalf("second: %+v %v", h, err)
	}
	if _, _, err = ReadFrame(r, buf, 0); err != io.EOF {
		t.Fatalf("end: %v", err)
	}
	// Cut inside the header, and inside the body.
	for _, cut := range []int{4, HeaderSize + 10} {
		_, _, err := ReadFrame(bytes.NewReader(one[:cut]), nil, 0)
		if !errors.Is(err, ErrTruncated) || !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("cut at %d: %v", cut, err)
		}
	}
}

func TestReadFrameBoundsMemory(t *testing.T) {
	// A header declaring 200 MiB followed by 10 bytes: refused over maxBody,
	// and under it costs memory in proportion to the bytes that came.
	hdr := AppendHeader(nil, Header{Version: V4, Response: true, Opcode: OpResult, Length: 200 << 20})
	stream := append(hdr, make([]byte, 10)...)
	var tooLarge *BodyTooLargeError
	if _, _, err := ReadFrame(bytes.NewReader(stream), nil, 1<<20); !errors.As(err, &tooLarge) {
		t.Fatalf("over max: %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, _, err := ReadFrame(bytes.NewReader(stream), nil, 0)
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("short body: %v", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > 256<<10 {
		t.Fatalf("allocated %d bytes for 10 body bytes", n)
	}
}
