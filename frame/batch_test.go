package frame

import (
	"errors"
	"testing"
)

func newBatch() Message { return &Batch{} }

// batchGoldenCases are the golden bodies, also the fuzz seeds.
func batchGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases,
			reqGolden{"logged_query_and_prepared", v,
				&Batch{Type: LoggedBatch, Consistency: Quorum, Statements: []BatchStatement{
					{Query: "INSERT INTO t (k) VALUES (?)", Values: []Value{{Bytes: []byte{0x05}}}},
					{ID: []byte{0xab, 0xcd}},
				}},
				reqBytes(
					0x00,                                                           // type LOGGED
					[]byte{0x00, 0x02},                                             // 2 statements
					0x00,                                                           // statement 0: kind query string
					[]byte{0x00, 0x00, 0x00, 0x1c}, "INSERT INTO t (k) VALUES (?)", // [long string], 28 bytes
					[]byte{0x00, 0x01},                   // 1 value
					[]byte{0x00, 0x00, 0x00, 0x01, 0x05}, // value 0: 1 byte 0x05
					0x01,                                 // statement 1: kind prepared id
					[]byte{0x00, 0x02, 0xab, 0xcd},       // id: [short bytes] of 2
					[]byte{0x00, 0x00},                   // 0 values
					[]byte{0x00, 0x04},                   // consistency QUORUM
					qpFlagBytes(v, 0),                    // flags: none
				)},
			reqGolden{"unlogged_serial_timestamp_null", v,
				&Batch{Type: UnloggedBatch, Consistency: One, SerialConsistency: Serial,
					Timestamp: 1_000_000, HasTimestamp: true,
					Statements: []BatchStatement{{ID: []byte{0x01}, Values: []Value{{}, {Bytes: []byte{}}}}},
				},
				reqBytes(
					0x01,                           // type UNLOGGED
					[]byte{0x00, 0x01},             // 1 statement
					0x01,                           // statement 0: kind prepared id
					[]byte{0x00, 0x01, 0x01},       // id: 1 byte
					[]byte{0x00, 0x02},             // 2 values
					[]byte{0xff, 0xff, 0xff, 0xff}, // value 0: null
					[]byte{0x00, 0x00, 0x00, 0x00}, // value 1: empty
					[]byte{0x00, 0x01},             // consistency ONE
					qpFlagBytes(v, 0x30),           // flags: serial consistency | timestamp
					[]byte{0x00, 0x08},             // serial consistency SERIAL
					[]byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40}, // timestamp 1000000
				)},
			reqGolden{"counter_without_statements", v,
				&Batch{Type: CounterBatch, Consistency: All},
				reqBytes(
					0x02,               // type COUNTER
					[]byte{0x00, 0x00}, // 0 statements
					[]byte{0x00, 0x05}, // consistency ALL
					qpFlagBytes(v, 0),  // flags: none
				)},
			reqGolden{"named_values", v,
				&Batch{Type: LoggedBatch, Consistency: One, NamedValues: true, Statements: []BatchStatement{
					{Query: "INSERT INTO t (k) VALUES (:k)", Names: []string{"k"}, Values: []Value{{Bytes: []byte{0x07}}}},
					{ID: []byte{0xee}, Names: []string{}},
				}},
				reqBytes(
					0x00,                                                            // type LOGGED
					[]byte{0x00, 0x02},                                              // 2 statements
					0x00,                                                            // statement 0: kind query string
					[]byte{0x00, 0x00, 0x00, 0x1d}, "INSERT INTO t (k) VALUES (:k)", // 29 bytes
					[]byte{0x00, 0x01},      // 1 value
					[]byte{0x00, 0x01}, "k", // name 0: "k"
					[]byte{0x00, 0x00, 0x00, 0x01, 0x07}, // value 0: 1 byte 0x07
					0x01,                                 // statement 1: kind prepared id
					[]byte{0x00, 0x01, 0xee},             // id: 1 byte
					[]byte{0x00, 0x00},                   // 0 values
					[]byte{0x00, 0x01},                   // consistency ONE
					qpFlagBytes(v, 0x40),                 // flags: names for values
				)},
		)
	}
	for _, v := range []Version{V4, V5} {
		cases = append(cases, reqGolden{"unset_value", v,
			&Batch{Type: UnloggedBatch, Consistency: Two, Statements: []BatchStatement{
				{ID: []byte{0x01}, Values: []Value{{Unset: true}}},
			}},
			reqBytes(
				0x01,                           // type UNLOGGED
				[]byte{0x00, 0x01},             // 1 statement
				0x01, []byte{0x00, 0x01, 0x01}, // statement 0: prepared, id 1 byte
				[]byte{0x00, 0x01},             // 1 value
				[]byte{0xff, 0xff, 0xff, 0xfe}, // value 0: unset
				[]byte{0x00, 0x02},             // consistency TWO
				qpFlagBytes(v, 0),              // flags: none
			)})
	}
	cases = append(cases, reqGolden{"keyspace_and_now_in_seconds", V5,
		&Batch{Type: LoggedBatch, Consistency: LocalQuorum, Keyspace: "ks",
			Timestamp: 5, HasTimestamp: true, NowInSeconds: 1_700_000_000, HasNowInSeconds: true,
			Statements: []BatchStatement{{Query: "q"}},
		},
		reqBytes(
			0x00,                          // type LOGGED
			[]byte{0x00, 0x01},            // 1 statement
			0x00, []byte{0, 0, 0, 1}, "q", // statement 0: query "q"
			[]byte{0x00, 0x00},             // 0 values
			[]byte{0x00, 0x06},             // consistency LOCAL_QUORUM
			[]byte{0x00, 0x00, 0x01, 0xa0}, // flags: timestamp | keyspace | now_in_seconds
			[]byte{0, 0, 0, 0, 0, 0, 0, 5}, // timestamp 5
			[]byte{0x00, 0x02}, "ks",       // keyspace "ks"
			[]byte{0x65, 0x53, 0xf1, 0x00}, // now_in_seconds 1700000000
		)})
	return cases
}

func TestBatchGolden(t *testing.T) { testReqGolden(t, newBatch, batchGoldenCases()) }

func TestBatchEncodeErrors(t *testing.T) {
	stmt := []BatchStatement{{Query: "q"}}
	testReqEncodeErrors(t, []reqEncodeErr{
		{"unknown_type", V4, &Batch{Type: 3, Statements: stmt}, nil},
		{"unset_value_needs_v4", V3, &Batch{Statements: []BatchStatement{{ID: []byte{1}, Values: []Value{{}, {Unset: true}}}}}, errUnsetNeedsV4},
		{"keyspace_needs_v5", V4, &Batch{Statements: stmt, Keyspace: "ks"}, errKeyspaceNeedsV5},
		{"now_in_seconds_needs_v5", V3, &Batch{Statements: stmt, HasNowInSeconds: true}, errNowNeedsV5},
		{"names_without_named_values", V4, &Batch{Statements: []BatchStatement{{Query: "q", Names: []string{"a"}, Values: []Value{{}}}}}, nil},
		{"named_values_count_mismatch", V4, &Batch{NamedValues: true, Statements: []BatchStatement{{Query: "q", Values: []Value{{}}}}}, nil},
		{"id_too_long", V5, &Batch{Statements: []BatchStatement{{ID: make([]byte, 65536)}}}, nil},
		{"too_many_statements", V4, &Batch{Statements: make([]BatchStatement, 65536)}, nil},
		{"too_many_values", V4, &Batch{Statements: []BatchStatement{{Query: "q", Values: make([]Value, 65536)}}}, nil},
		{"version_2", 2, &Batch{Statements: stmt}, nil},
	})
}

func TestBatchDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newBatch, []reqDecodeErr{
		{"unknown_type", V4, reqBytes(0x03, []byte{0, 0}, []byte{0, 1}, 0), 0, "unknown batch type 3", nil},
		{"unknown_statement_kind", V4, reqBytes(
			0x00, []byte{0x00, 0x01}, // LOGGED, 1 statement
			0x02, []byte{0x00, 0x00}, []byte{0x00, 0x00}, // kind 2
			[]byte{0x00, 0x01}, 0x00,
		), 3, "unknown statement kind 2", nil},
		{"hostile_statements_count", V4, reqBytes(
			0x00, []byte{0xff, 0xff}, // LOGGED, 65535 statements
			[]byte{0x00, 0x01}, 0x00, // consistency and flags only
		), 3, "count 65535", ErrTruncated},
		{"hostile_values_count", V5, reqBytes(
			0x00, []byte{0x00, 0x01}, // LOGGED, 1 statement
			0x01, []byte{0x00, 0x00}, // prepared, empty id
			[]byte{0xff, 0xff},                     // 65535 values
			[]byte{0x00, 0x01}, []byte{0, 0, 0, 0}, // consistency, flags
		), 8, "count 65535", ErrTruncated},
		{"query_flags_are_unknown_in_batch", V4, reqBytes(
			0x00, []byte{0x00, 0x00}, // LOGGED, 0 statements
			[]byte{0x00, 0x01}, // ONE
			0x01,               // values flag: QUERY only
		), 5, "unknown flags 0x1", nil},
		{"keyspace_flag_before_v5", V3, reqBytes(
			0x00, []byte{0x00, 0x00}, []byte{0x00, 0x01}, 0x80,
		), 5, "unknown flags 0x80", nil},
		{"unknown_v5_flag", V5, reqBytes(
			0x00, []byte{0x00, 0x00}, []byte{0x00, 0x01}, []byte{0x00, 0x00, 0x02, 0x00},
		), 5, "unknown flags 0x200", nil},
		{"names_flag_without_names", V4, reqBytes(
			0x00, []byte{0x00, 0x01}, // LOGGED, 1 statement
			0x01, []byte{0x00, 0x01, 0xaa}, // prepared, id 1 byte
			[]byte{0x00, 0x01}, []byte{0x00, 0x00, 0x00, 0x01, 0x05}, // 1 value, no name
			[]byte{0x00, 0x01}, 0x40, // ONE, names flag
		), -1, "", nil},
		{"keyspace_truncated", V5, reqBytes(
			0x00, []byte{0x00, 0x00}, []byte{0x00, 0x01}, []byte{0x00, 0x00, 0x00, 0x80},
			[]byte{0x00, 0x09}, "ks", // claims 9 bytes
		), 11, "BATCH keyspace", ErrTruncated},
	})
}

// The names flag comes after the statements; a body written with names must
// still decode, by the second reading.
func TestBatchDecodeNamedValuesAfterFirstReadingFails(t *testing.T) {
	body := reqBytes(
		0x01, []byte{0x00, 0x01}, // UNLOGGED, 1 statement
		0x01, []byte{0x00, 0x01, 0xaa}, // prepared, id 1 byte
		[]byte{0x00, 0x02},                                      // 2 values
		[]byte{0x00, 0x01}, "a", []byte{0xff, 0xff, 0xff, 0xff}, // "a": null
		[]byte{0x00, 0x01}, "b", []byte{0x00, 0x00, 0x00, 0x01, 0x09}, // "b": 0x09
		[]byte{0x00, 0x01}, 0x40, // ONE, names flag
	)
	var b Batch
	if err := b.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	if !b.NamedValues || len(b.Statements) != 1 || len(b.Statements[0].Names) != 2 || b.Statements[0].Names[1] != "b" {
		t.Fatalf("decoded %#v", b)
	}
	// A body that neither reading accepts reports where it got furthest.
	body[len(body)-1] = 0x41
	var de *DecodeError
	if err := b.Decode(body, V4); !errors.As(err, &de) || de.Offset != len(body)-1 {
		t.Fatalf("Decode = %v, want an error at the flags, offset %d", err, len(body)-1)
	}
}

func TestBatchHostileCountAllocatesLittle(t *testing.T) {
	body := reqBytes(0x00, []byte{0xff, 0xff}, []byte{0x00, 0x01}, 0x00)
	var b Batch
	n := reqDecodeBytesAllocated(func() {
		if err := b.Decode(body, V4); !errors.Is(err, ErrTruncated) {
			t.Fatalf("Decode = %v, want ErrTruncated", err)
		}
	})
	if n > 2048 {
		t.Errorf("decoding a hostile statements count allocated %d bytes per call", n)
	}
}
