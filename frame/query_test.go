package frame

import "testing"

func newQuery() Message { return &Query{} }

// queryGoldenCases are the golden bodies, also the fuzz seeds.
func queryGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		cases = append(cases,
			reqGolden{"no_parameters", v,
				&Query{Query: "SELECT * FROM t", Params: QueryParams{Consistency: One}},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x0f}, "SELECT * FROM t", // query [long string], 15 bytes
					[]byte{0x00, 0x01}, // consistency ONE
					qpFlagBytes(v, 0),  // flags: none
				)},
			reqGolden{"empty_query_string", v,
				&Query{Params: QueryParams{Consistency: Any}},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x00}, // query: 0 bytes
					[]byte{0x00, 0x00},             // consistency ANY
					qpFlagBytes(v, 0),              // flags: none
				)},
			reqGolden{"bound_value_paged", v,
				&Query{Query: "SELECT k FROM t WHERE k=?", Params: QueryParams{
					Consistency: Quorum, Values: []Value{{Bytes: []byte{0, 0, 0, 1}}}, PageSize: 100,
				}},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x19}, "SELECT k FROM t WHERE k=?", // query, 25 bytes
					[]byte{0x00, 0x04},             // consistency QUORUM
					qpFlagBytes(v, 0x05),           // flags: values | page size
					[]byte{0x00, 0x01},             // 1 value
					[]byte{0x00, 0x00, 0x00, 0x04}, // value 0: 4 bytes
					[]byte{0x00, 0x00, 0x00, 0x01}, //   int 1
					[]byte{0x00, 0x00, 0x00, 0x64}, // page size 100
				)},
			reqGolden{"named_null_value", v,
				&Query{Query: "DELETE FROM t WHERE k=:k", Params: QueryParams{
					Consistency: LocalQuorum, Names: []string{"k"}, Values: []Value{{}},
				}},
				reqBytes(
					[]byte{0x00, 0x00, 0x00, 0x18}, "DELETE FROM t WHERE k=:k", // query, 24 bytes
					[]byte{0x00, 0x06},      // consistency LOCAL_QUORUM
					qpFlagBytes(v, 0x41),    // flags: values | names
					[]byte{0x00, 0x01},      // 1 value
					[]byte{0x00, 0x01}, "k", // name 0: "k"
					[]byte{0xff, 0xff, 0xff, 0xff}, // value 0: null
				)},
		)
	}
	for _, v := range []Version{V4, V5} {
		cases = append(cases, reqGolden{"unset_value", v,
			&Query{Query: "UPDATE t SET a=? WHERE k=1", Params: QueryParams{
				Consistency: One, Values: []Value{{Unset: true}}, Timestamp: 7, HasTimestamp: true,
			}},
			reqBytes(
				[]byte{0x00, 0x00, 0x00, 0x1a}, "UPDATE t SET a=? WHERE k=1", // query, 26 bytes
				[]byte{0x00, 0x01},             // consistency ONE
				qpFlagBytes(v, 0x21),           // flags: values | timestamp
				[]byte{0x00, 0x01},             // 1 value
				[]byte{0xff, 0xff, 0xff, 0xfe}, // value 0: unset
				[]byte{0, 0, 0, 0, 0, 0, 0, 7}, // timestamp 7
			)})
	}
	cases = append(cases, reqGolden{"keyspace_and_now_in_seconds", V5,
		&Query{Query: "SELECT * FROM t", Params: QueryParams{
			Consistency: One, SerialConsistency: Serial, Keyspace: "ks", NowInSeconds: 60, HasNowInSeconds: true,
		}},
		reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x0f}, "SELECT * FROM t", // query, 15 bytes
			[]byte{0x00, 0x01},             // consistency ONE
			[]byte{0x00, 0x00, 0x01, 0x90}, // flags: serial | keyspace | now_in_seconds
			[]byte{0x00, 0x08},             // serial consistency SERIAL
			[]byte{0x00, 0x02}, "ks",       // keyspace "ks"
			[]byte{0x00, 0x00, 0x00, 0x3c}, // now_in_seconds 60
		)})
	return cases
}

func TestQueryGolden(t *testing.T) { testReqGolden(t, newQuery, queryGoldenCases()) }

func TestQueryEncodeErrors(t *testing.T) {
	testReqEncodeErrors(t, []reqEncodeErr{
		{"unset_value_needs_v4", V3, &Query{Query: "q", Params: QueryParams{Values: []Value{{Unset: true}}}}, errUnsetNeedsV4},
		{"keyspace_needs_v5", V3, &Query{Query: "q", Params: QueryParams{Keyspace: "ks"}}, errKeyspaceNeedsV5},
		{"keyspace_needs_v5", V4, &Query{Query: "q", Params: QueryParams{Keyspace: "ks"}}, errKeyspaceNeedsV5},
		{"now_in_seconds_needs_v5", V4, &Query{Query: "q", Params: QueryParams{HasNowInSeconds: true}}, errNowNeedsV5},
		{"names_mismatch", V5, &Query{Query: "q", Params: QueryParams{Names: []string{"a", "b"}, Values: []Value{{}}}}, nil},
		{"version_2", 2, &Query{Query: "q"}, nil},
		{"version_6", 6, &Query{Query: "q"}, nil},
	})
}

func TestQueryDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newQuery, []reqDecodeErr{
		{"empty_body", V4, nil, 0, "QUERY query", ErrTruncated},
		{"negative_query_length", V4, reqBytes(
			[]byte{0xff, 0xff, 0xff, 0xff}, // query length -1
			[]byte{0x00, 0x01}, 0x00,
		), 4, "negative length -1", nil},
		{"query_longer_than_body", V4, reqBytes(
			[]byte{0x7f, 0xff, 0xff, 0xff}, "SELECT", // claims 2 GiB
		), 4, "truncated", ErrTruncated},
		{"unknown_flag", V4, reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x01}, "q",
			[]byte{0x00, 0x01}, // ONE
			0x80,               // keyspace flag: v5 only
		), 7, "unknown flags 0x80", nil},
		{"hostile_values_count", V5, reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x01}, "q",
			[]byte{0x00, 0x01}, []byte{0, 0, 0, 1}, // ONE, values
			[]byte{0xff, 0xff}, // 65535 values, none present
		), 13, "count 65535", ErrTruncated},
		{"keyspace_truncated", V5, reqBytes(
			[]byte{0x00, 0x00, 0x00, 0x01}, "q",
			[]byte{0x00, 0x01}, []byte{0, 0, 0, 0x80}, // ONE, keyspace
			[]byte{0x00, 0x05}, "ks", // claims 5 bytes, has 2
		), 13, "QUERY keyspace", ErrTruncated},
		{"version_6", 6, reqBytes([]byte{0, 0, 0, 0}, []byte{0, 1}, 0), 0, "unsupported protocol version 6", nil},
	})
}
