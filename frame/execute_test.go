package frame

import "testing"

func newExecute() Message { return &Execute{} }

var (
	execID       = []byte{0x0b, 0xad, 0xca, 0xfe}
	execResultID = []byte{0x01, 0x02}
)

// execIDsFor returns the EXECUTE fields before <query_parameters> for v and
// the message ids that produce them.
func execIDsFor(v Version) (golden []byte, resultID []byte) {
	golden = []byte{
		0x00, 0x04, // id: [short bytes] of 4
		0x0b, 0xad, 0xca, 0xfe, //   the id
	}
	if v < V5 {
		return golden, nil
	}
	return append(golden,
		0x00, 0x02, // result metadata id: [short bytes] of 2 (v5)
		0x01, 0x02, //   the id
	), execResultID
}

// executeGoldenCases are the golden bodies, also the fuzz seeds.
func executeGoldenCases() []reqGolden {
	var cases []reqGolden
	for _, v := range []Version{V3, V4, V5} {
		ids, resultID := execIDsFor(v)
		cases = append(cases,
			reqGolden{"no_values", v,
				&Execute{ID: execID, ResultMetadataID: resultID, Params: QueryParams{Consistency: LocalOne}},
				reqBytes(
					ids,
					[]byte{0x00, 0x0a}, // consistency LOCAL_ONE
					qpFlagBytes(v, 0),  // flags: none
				)},
			reqGolden{"three_values_paged_with_timestamp", v,
				&Execute{ID: execID, ResultMetadataID: resultID, Params: QueryParams{
					Consistency: LocalQuorum,
					Values: []Value{
						{Bytes: []byte{0x00, 0x00, 0x00, 0x2a}}, {Bytes: []byte("abc")}, {},
					},
					SkipMetadata: true,
					PageSize:     5000,
					Timestamp:    1_700_000_000_000_000, HasTimestamp: true,
				}},
				reqBytes(
					ids,
					[]byte{0x00, 0x06},                                             // consistency LOCAL_QUORUM
					qpFlagBytes(v, 0x27),                                           // flags: values | skip metadata | page size | timestamp
					[]byte{0x00, 0x03},                                             // 3 values
					[]byte{0x00, 0x00, 0x00, 0x04}, []byte{0x00, 0x00, 0x00, 0x2a}, // value 0: int 42
					[]byte{0x00, 0x00, 0x00, 0x03}, "abc", // value 1: text "abc"
					[]byte{0xff, 0xff, 0xff, 0xff},                         // value 2: null
					[]byte{0x00, 0x00, 0x13, 0x88},                         // page size 5000
					[]byte{0x00, 0x06, 0x0a, 0x24, 0x18, 0x1e, 0x40, 0x00}, // timestamp 1700000000000000 µs
				)},
			reqGolden{"resume_paging_serial", v,
				&Execute{ID: execID, ResultMetadataID: resultID, Params: QueryParams{
					Consistency: Quorum, PagingState: []byte{0x99}, SerialConsistency: LocalSerial,
				}},
				reqBytes(
					ids,
					[]byte{0x00, 0x04},                   // consistency QUORUM
					qpFlagBytes(v, 0x18),                 // flags: paging state | serial consistency
					[]byte{0x00, 0x00, 0x00, 0x01, 0x99}, // paging state: 1 byte
					[]byte{0x00, 0x09},                   // serial consistency LOCAL_SERIAL
				)},
		)
	}
	cases = append(cases,
		reqGolden{"unset_value", V4,
			&Execute{ID: execID, Params: QueryParams{Consistency: One, Values: []Value{{Bytes: []byte{}}, {Unset: true}}}},
			reqBytes(
				[]byte{0x00, 0x04, 0x0b, 0xad, 0xca, 0xfe}, // id: 4 bytes
				[]byte{0x00, 0x01},                         // consistency ONE
				0x01,                                       // flags: values
				[]byte{0x00, 0x02},                         // 2 values
				[]byte{0x00, 0x00, 0x00, 0x00},             // value 0: empty
				[]byte{0xff, 0xff, 0xff, 0xfe},             // value 1: unset
			)},
		reqGolden{"empty_ids_keyspace_now", V5,
			&Execute{ID: []byte{}, ResultMetadataID: []byte{}, Params: QueryParams{
				Consistency: One, Keyspace: "ks", NowInSeconds: 1, HasNowInSeconds: true,
			}},
			reqBytes(
				[]byte{0x00, 0x00},             // id: 0 bytes
				[]byte{0x00, 0x00},             // result metadata id: 0 bytes
				[]byte{0x00, 0x01},             // consistency ONE
				[]byte{0x00, 0x00, 0x01, 0x80}, // flags: keyspace | now_in_seconds
				[]byte{0x00, 0x02}, "ks",       // keyspace "ks"
				[]byte{0x00, 0x00, 0x00, 0x01}, // now_in_seconds 1
			)},
	)
	return cases
}

func TestExecuteGolden(t *testing.T) { testReqGolden(t, newExecute, executeGoldenCases()) }

func TestExecuteEncodeErrors(t *testing.T) {
	testReqEncodeErrors(t, []reqEncodeErr{
		{"result_metadata_id_needs_v5", V4, &Execute{ID: execID, ResultMetadataID: execResultID}, errMetadataIDNeedsV5},
		{"result_metadata_id_needs_v5", V3, &Execute{ID: execID, ResultMetadataID: []byte{}}, errMetadataIDNeedsV5},
		{"id_too_long", V4, &Execute{ID: make([]byte, 65536)}, nil},
		{"result_metadata_id_too_long", V5, &Execute{ID: execID, ResultMetadataID: make([]byte, 65536)}, nil},
		{"unset_value_needs_v4", V3, &Execute{ID: execID, Params: QueryParams{Values: []Value{{Unset: true}}}}, errUnsetNeedsV4},
		{"keyspace_needs_v5", V4, &Execute{ID: execID, Params: QueryParams{Keyspace: "ks"}}, errKeyspaceNeedsV5},
		{"version_7", 7, &Execute{ID: execID}, nil},
	})
}

func TestExecuteDecodeErrors(t *testing.T) {
	testReqDecodeErrors(t, newExecute, []reqDecodeErr{
		{"id_longer_than_body", V4, []byte{0x00, 0x10, 0x01, 0x02}, 2, "EXECUTE id", ErrTruncated},
		{"v5_without_result_metadata_id", V5, reqBytes(
			[]byte{0x00, 0x01, 0xaa}, // id: 1 byte
			[]byte{0x00},             // half a [short]
		), 3, "EXECUTE result metadata id", ErrTruncated},
		{"hostile_values_count", V4, reqBytes(
			[]byte{0x00, 0x01, 0xaa}, // id: 1 byte
			[]byte{0x00, 0x01}, 0x01, // ONE, values
			[]byte{0xff, 0xff},                   // 65535 values
			[]byte{0x00, 0x00, 0x00, 0x01, 0x01}, // one value present
		), 8, "count 65535", ErrTruncated},
		{"unknown_flag", V5, reqBytes(
			[]byte{0x00, 0x01, 0xaa}, []byte{0x00, 0x00}, // ids
			[]byte{0x00, 0x01}, []byte{0x00, 0x00, 0x04, 0x00}, // ONE, flag 0x400
		), 7, "unknown flags 0x400", nil},
	})
}
