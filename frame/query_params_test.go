package frame

import (
	"errors"
	"strings"
	"testing"
)

// paramsMsg wraps the bare <query_parameters> block in a Message so the
// shared golden harness can check it flag by flag, apart from the QUERY and
// EXECUTE prefixes.
type paramsMsg struct{ QueryParams }

func (m *paramsMsg) Opcode() Opcode { return OpQuery }

func (m *paramsMsg) Encode(dst []byte, v Version) ([]byte, error) {
	return m.encode(dst, v, "params")
}

func (m *paramsMsg) Decode(body []byte, v Version) error {
	var r Reader
	reqReader(&r, body, "params", v)
	m.decode(&r, v)
	return r.Done()
}

func newParamsMsg() Message { return &paramsMsg{} }

// flags returns the <flags> field as written for v: a [byte] before v5, an
// [int] from v5.
func qpFlagBytes(v Version, f uint32) []byte {
	if v >= V5 {
		return []byte{byte(f >> 24), byte(f >> 16), byte(f >> 8), byte(f)}
	}
	return []byte{byte(f)}
}

// queryParamsGoldenCases are the golden bodies, also the fuzz seeds.
func queryParamsGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases,
			reqGolden{"consistency_only", v,
				&paramsMsg{QueryParams{Consistency: Quorum}},
				reqBytes(
					[]byte{0x00, 0x04}, // consistency QUORUM
					qpFlagBytes(v, 0),  // flags: none
				)},
			reqGolden{"positional_values_with_null_and_empty", v,
				&paramsMsg{QueryParams{Consistency: One, Values: []Value{
					{Bytes: []byte{0x00, 0x00, 0x00, 0x2a}}, {}, {Bytes: []byte{}},
				}}},
				reqBytes(
					[]byte{0x00, 0x01},             // consistency ONE
					qpFlagBytes(v, 0x01),           // flags: values
					[]byte{0x00, 0x03},             // 3 values
					[]byte{0x00, 0x00, 0x00, 0x04}, // value 0: 4 bytes
					[]byte{0x00, 0x00, 0x00, 0x2a}, //   int 42
					[]byte{0xff, 0xff, 0xff, 0xff}, // value 1: null (-1)
					[]byte{0x00, 0x00, 0x00, 0x00}, // value 2: empty, not null
				)},
			reqGolden{"named_values", v,
				&paramsMsg{QueryParams{Consistency: One, Names: []string{"k", "v"},
					Values: []Value{{Bytes: []byte{0x01}}, {}}}},
				reqBytes(
					[]byte{0x00, 0x01},      // consistency ONE
					qpFlagBytes(v, 0x41),    // flags: values | names
					[]byte{0x00, 0x02},      // 2 values
					[]byte{0x00, 0x01}, "k", // name 0: [string] "k"
					[]byte{0x00, 0x00, 0x00, 0x01, 0x01}, // value 0: 1 byte 0x01
					[]byte{0x00, 0x01}, "v",              // name 1: [string] "v"
					[]byte{0xff, 0xff, 0xff, 0xff}, // value 1: null
				)},
			reqGolden{"names_flag_without_values", v,
				&paramsMsg{QueryParams{Consistency: One, Names: []string{}}},
				reqBytes(
					[]byte{0x00, 0x01},   // consistency ONE
					qpFlagBytes(v, 0x40), // flags: names only, no values follow
				)},
			reqGolden{"skip_metadata", v,
				&paramsMsg{QueryParams{Consistency: LocalOne, SkipMetadata: true}},
				reqBytes(
					[]byte{0x00, 0x0a},   // consistency LOCAL_ONE
					qpFlagBytes(v, 0x02), // flags: skip metadata
				)},
			reqGolden{"page_size_and_paging_state", v,
				&paramsMsg{QueryParams{Consistency: LocalQuorum, PageSize: 5000, PagingState: []byte{0xca, 0xfe}}},
				reqBytes(
					[]byte{0x00, 0x06},             // consistency LOCAL_QUORUM
					qpFlagBytes(v, 0x0c),           // flags: page size | paging state
					[]byte{0x00, 0x00, 0x13, 0x88}, // page size 5000
					[]byte{0x00, 0x00, 0x00, 0x02}, // paging state: 2 bytes
					[]byte{0xca, 0xfe},             //   the state
				)},
			reqGolden{"empty_paging_state_is_sent", v,
				&paramsMsg{QueryParams{Consistency: One, PagingState: []byte{}}},
				reqBytes(
					[]byte{0x00, 0x01},             // consistency ONE
					qpFlagBytes(v, 0x08),           // flags: paging state
					[]byte{0x00, 0x00, 0x00, 0x00}, // paging state: 0 bytes
				)},
			reqGolden{"serial_consistency", v,
				&paramsMsg{QueryParams{Consistency: Quorum, SerialConsistency: LocalSerial}},
				reqBytes(
					[]byte{0x00, 0x04},   // consistency QUORUM
					qpFlagBytes(v, 0x10), // flags: serial consistency
					[]byte{0x00, 0x09},   // serial consistency LOCAL_SERIAL
				)},
			reqGolden{"timestamp", v,
				&paramsMsg{QueryParams{Consistency: One, Timestamp: 1_000_000, HasTimestamp: true}},
				reqBytes(
					[]byte{0x00, 0x01},   // consistency ONE
					qpFlagBytes(v, 0x20), // flags: default timestamp
					[]byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x0f, 0x42, 0x40}, // timestamp 1000000 µs
				)},
			reqGolden{"zero_timestamp_is_sent", v,
				&paramsMsg{QueryParams{Consistency: One, HasTimestamp: true}},
				reqBytes(
					[]byte{0x00, 0x01},             // consistency ONE
					qpFlagBytes(v, 0x20),           // flags: default timestamp
					[]byte{0, 0, 0, 0, 0, 0, 0, 0}, // timestamp 0
				)},
			reqGolden{"every_v3_flag", v,
				&paramsMsg{QueryParams{
					Consistency: All, Names: []string{"a"}, Values: []Value{{Bytes: []byte{0x07}}},
					SkipMetadata: true, PageSize: 100, PagingState: []byte{0x01},
					SerialConsistency: Serial, Timestamp: -1, HasTimestamp: true,
				}},
				reqBytes(
					[]byte{0x00, 0x05},      // consistency ALL
					qpFlagBytes(v, 0x7f),    // flags: values|skip|page size|state|serial|timestamp|names
					[]byte{0x00, 0x01},      // 1 value
					[]byte{0x00, 0x01}, "a", // name 0: "a"
					[]byte{0x00, 0x00, 0x00, 0x01, 0x07},                   // value 0: 1 byte 0x07
					[]byte{0x00, 0x00, 0x00, 0x64},                         // page size 100
					[]byte{0x00, 0x00, 0x00, 0x01, 0x01},                   // paging state: 1 byte
					[]byte{0x00, 0x08},                                     // serial consistency SERIAL
					[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, // timestamp -1
				)},
		)
	}
	for _, v := range []Version{V4, V5} {
		cases = append(cases, reqGolden{"unset_value", v,
			&paramsMsg{QueryParams{Consistency: LocalQuorum, Values: []Value{{Unset: true}, {Bytes: []byte{0x01}}}}},
			reqBytes(
				[]byte{0x00, 0x06},                   // consistency LOCAL_QUORUM
				qpFlagBytes(v, 0x01),                 // flags: values
				[]byte{0x00, 0x02},                   // 2 values
				[]byte{0xff, 0xff, 0xff, 0xfe},       // value 0: unset (-2)
				[]byte{0x00, 0x00, 0x00, 0x01, 0x01}, // value 1: 1 byte 0x01
			)})
	}
	cases = append(cases,
		reqGolden{"keyspace", V5,
			&paramsMsg{QueryParams{Consistency: One, Keyspace: "ks"}},
			reqBytes(
				[]byte{0x00, 0x01},             // consistency ONE
				[]byte{0x00, 0x00, 0x00, 0x80}, // flags: keyspace
				[]byte{0x00, 0x02}, "ks",       // keyspace [string] "ks"
			)},
		reqGolden{"now_in_seconds", V5,
			&paramsMsg{QueryParams{Consistency: One, NowInSeconds: 1_700_000_000, HasNowInSeconds: true}},
			reqBytes(
				[]byte{0x00, 0x01},             // consistency ONE
				[]byte{0x00, 0x00, 0x01, 0x00}, // flags: now_in_seconds
				[]byte{0x65, 0x53, 0xf1, 0x00}, // now_in_seconds 1700000000
			)},
		reqGolden{"every_v5_flag", V5,
			&paramsMsg{QueryParams{
				Consistency: EachQuorum, Names: []string{"a", "b"}, Values: []Value{{Unset: true}, {}},
				SkipMetadata: true, PageSize: 1, PagingState: []byte{},
				SerialConsistency: LocalSerial, Timestamp: 2, HasTimestamp: true,
				Keyspace: "k", NowInSeconds: -1, HasNowInSeconds: true,
			}},
			reqBytes(
				[]byte{0x00, 0x07},             // consistency EACH_QUORUM
				[]byte{0x00, 0x00, 0x01, 0xff}, // flags: all nine
				[]byte{0x00, 0x02},             // 2 values
				[]byte{0x00, 0x01}, "a",        // name 0: "a"
				[]byte{0xff, 0xff, 0xff, 0xfe}, // value 0: unset
				[]byte{0x00, 0x01}, "b",        // name 1: "b"
				[]byte{0xff, 0xff, 0xff, 0xff},    // value 1: null
				[]byte{0x00, 0x00, 0x00, 0x01},    // page size 1
				[]byte{0x00, 0x00, 0x00, 0x00},    // paging state: 0 bytes
				[]byte{0x00, 0x09},                // serial consistency LOCAL_SERIAL
				[]byte{0, 0, 0, 0, 0, 0, 0, 0x02}, // timestamp 2
				[]byte{0x00, 0x01}, "k",           // keyspace "k"
				[]byte{0xff, 0xff, 0xff, 0xff}, // now_in_seconds -1
			)},
	)
	return cases
}

func TestQueryParamsGolden(t *testing.T) { testReqGolden(t, newParamsMsg, queryParamsGoldenCases()) }

func TestQueryParamsEncodeErrors(t *testing.T) {
	long := strings.Repeat("x", 65536)
	cases := []reqEncodeErr{
		{"unset_value_needs_v4", V3, &paramsMsg{QueryParams{Values: []Value{{Bytes: []byte{1}}, {Unset: true}}}}, errUnsetNeedsV4},
		{"names_shorter_than_values", V4, &paramsMsg{QueryParams{Names: []string{"a"}, Values: []Value{{}, {}}}}, nil},
		{"names_without_values_given", V4, &paramsMsg{QueryParams{Names: []string{"a"}}}, nil},
		{"name_too_long", V4, &paramsMsg{QueryParams{Names: []string{long}, Values: []Value{{}}}}, nil},
		{"too_many_values", V4, &paramsMsg{QueryParams{Values: make([]Value, 65536)}}, nil},
		{"keyspace_too_long", V5, &paramsMsg{QueryParams{Keyspace: long}}, nil},
	}
	for _, v := range []Version{V3, V4} {
		cases = append(cases,
			reqEncodeErr{"keyspace_needs_v5", v, &paramsMsg{QueryParams{Keyspace: "ks"}}, errKeyspaceNeedsV5},
			reqEncodeErr{"now_in_seconds_needs_v5", v, &paramsMsg{QueryParams{HasNowInSeconds: true}}, errNowNeedsV5},
		)
	}
	testReqEncodeErrors(t, cases)
}

func TestQueryParamsDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newParamsMsg, []reqDecodeErr{
		{"unknown_flag_0x80_before_v5", V4, []byte{0x00, 0x01, 0x80}, 2, "unknown flags 0x80", nil},
		{"unknown_flag_0x80_in_v3", V3, []byte{0x00, 0x01, 0xc1}, 2, "unknown flags 0x80", nil},
		{"unknown_flag_0x200_in_v5", V5, []byte{0x00, 0x01, 0x00, 0x00, 0x02, 0x00}, 2, "unknown flags 0x200", nil},
		{"unknown_high_flag_in_v5", V5, []byte{0x00, 0x01, 0x80, 0x00, 0x00, 0x00}, 2, "unknown flags 0x80000000", nil},
		{"value_length_below_minus_2", V4, reqBytes(
			[]byte{0x00, 0x01}, 0x01, // ONE, values
			[]byte{0x00, 0x01},             // 1 value
			[]byte{0xff, 0xff, 0xff, 0xfd}, // length -3
		), -1, "invalid value length -3", nil},
		{"hostile_values_count", V4, reqBytes(
			[]byte{0x00, 0x01}, 0x01, // ONE, values
			[]byte{0xff, 0xff},             // 65535 values...
			[]byte{0x00, 0x00, 0x00, 0x00}, // ...but bytes for one
		), 5, "count 65535", ErrTruncated},
		{"hostile_named_values_count", V5, reqBytes(
			[]byte{0x00, 0x01}, []byte{0, 0, 0, 0x41}, // ONE, values|names
			[]byte{0x00, 0x02}, // 2 named values need 12 bytes or more
			[]byte{0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00}, // 11 bytes
		), 8, "count 2", ErrTruncated},
		{"page_size_zero", V4, reqBytes(
			[]byte{0x00, 0x01}, 0x04, // ONE, page size
			[]byte{0x00, 0x00, 0x00, 0x00}, // page size 0
		), 3, "not positive", nil},
		{"page_size_negative", V5, reqBytes(
			[]byte{0x00, 0x01}, []byte{0, 0, 0, 0x04}, // ONE, page size
			[]byte{0xff, 0xff, 0xff, 0xff}, // page size -1
		), 6, "not positive", nil},
		{"unsupported_version", 6, []byte{0x00, 0x01, 0x00}, 0, "unsupported protocol version 6", nil},
	})
}

// In v3 values are [bytes], where every negative length is null; -2 means
// unset only from v4.
func TestQueryParamsV3NegativeLengthsAreNull(t *testing.T) {
	body := reqBytes(
		[]byte{0x00, 0x01}, 0x01, // ONE, values
		[]byte{0x00, 0x02},             // 2 values
		[]byte{0xff, 0xff, 0xff, 0xfe}, // -2: null in v3
		[]byte{0x80, 0x00, 0x00, 0x00}, // MinInt32: null in v3
	)
	var m paramsMsg
	if err := m.Decode(body, V3); err != nil {
		t.Fatal(err)
	}
	if len(m.Values) != 2 || m.Values[0].Bytes != nil || m.Values[0].Unset || m.Values[1].Bytes != nil || m.Values[1].Unset {
		t.Fatalf("values = %#v, want two nulls", m.Values)
	}
}

// A claimed count must not make the decoder allocate for elements that the
// bytes cannot hold.
func TestQueryParamsHostileCountAllocatesLittle(t *testing.T) {
	body := reqBytes([]byte{0x00, 0x01}, 0x01, []byte{0xff, 0xff}, []byte{0, 0, 0, 0})
	var m paramsMsg
	n := reqDecodeBytesAllocated(func() {
		if err := m.Decode(body, V4); !errors.Is(err, ErrTruncated) {
			t.Fatalf("Decode = %v, want ErrTruncated", err)
		}
	})
	if n > 1024 {
		t.Errorf("decoding a hostile count allocated %d bytes per call", n)
	}
}
