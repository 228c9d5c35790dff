package cqltype

import (
	"testing"
	"time"
)

func TestTimeGolden(t *testing.T) {
	ts := time.Date(2024, 1, 2, 3, 4, 5, 6_000_000, time.UTC)
	est := time.FixedZone("EST", -5*3600)
	runGolden(t, []golden{
		{name: "timestamp", typ: tTimestamp, val: ts, wire: "0000018cc820d88e", natural: ts},
		{name: "timestamp_epoch", typ: tTimestamp, val: time.Unix(0, 0), wire: "0000000000000000", want: time.Unix(0, 0).UTC()},
		{name: "timestamp_before_epoch", typ: tTimestamp, val: time.UnixMilli(-1), wire: "ffffffffffffffff", want: time.UnixMilli(-1).UTC()},
		{name: "timestamp_sub_milli_floored", typ: tTimestamp, val: ts.Add(999), wire: "0000018cc820d88e", want: ts},
		{name: "timestamp_zone_kept_as_instant", typ: tTimestamp, val: ts.In(est), wire: "0000018cc820d88e", want: ts},
		{name: "timestamp_from_millis", typ: tTimestamp, val: int64(1704164645006), wire: "0000018cc820d88e", want: ts},
		{name: "timestamp_into_millis", typ: tTimestamp, val: ts, wire: "0000018cc820d88e", want: int64(1704164645006)},

		{name: "date_epoch_is_2^31", typ: tDate, val: Date(0), wire: "80000000", natural: time.Unix(0, 0).UTC()},
		{name: "date_day_before_epoch", typ: tDate, val: Date(-1), wire: "7fffffff"},
		{name: "date_from_time", typ: tDate, val: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC), wire: "80004d0c"},
		{name: "date_from_time_ignores_clock", typ: tDate, val: time.Date(2024, 1, 2, 23, 0, 0, 0, est), wire: "80004d0c",
			want: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)},
		{name: "date_min", typ: tDate, val: Date(-1 << 31), wire: "00000000"},

		{name: "time_noon", typ: tTime, val: 12 * time.Hour, wire: "0000274a48a78000", natural: 12 * time.Hour},
		{name: "time_from_nanos", typ: tTime, val: int64(1), wire: "0000000000000001", want: time.Duration(1)},
		{name: "time_into_nanos", typ: tTime, val: time.Second, wire: "000000003b9aca00", want: int64(time.Second)},

		{name: "duration", typ: tDuration, val: Duration{Months: 1, Days: 2, Nanoseconds: 3}, wire: "020406", natural: Duration{1, 2, 3}},
		{name: "duration_negative_zigzag", typ: tDuration, val: Duration{Months: -1, Days: -2, Nanoseconds: -3}, wire: "010305"},
		{name: "duration_vint_two_bytes", typ: tDuration, val: Duration{Nanoseconds: 64}, wire: "00008080"},
		{name: "duration_from_go", typ: tDuration, val: time.Hour, wire: "0000fc068c61714000", want: Duration{Nanoseconds: int64(time.Hour)}},
		{name: "duration_into_go", typ: tDuration, val: Duration{Nanoseconds: 5}, wire: "00000a", want: time.Duration(5)},
	})
}

func TestTimeErrors(t *testing.T) {
	runErrors(t, []errCase{
		{name: "time_negative", typ: tTime, val: -time.Second, want: "time of day must be within [0, 24h)"},
		{name: "time_24h", typ: tTime, val: 24 * time.Hour, want: "time of day"},
		{name: "time_decoded_out_of_range", typ: tTime, wire: "ffffffffffffffff", into: new(time.Duration), want: "time of day"},
		{name: "timestamp_year_out_of_range", typ: tTimestamp, val: time.Date(300_000_000, 1, 1, 0, 0, 0, 0, time.UTC), want: "out of range"},
		{name: "timestamp_from_string", typ: tTimestamp, val: "2024-01-01", want: "not accepted"},
		{name: "date_from_int_is_ambiguous", typ: tDate, val: int32(5), want: "not accepted"},
		{name: "date_beyond_int32_days", typ: tDate, val: time.Date(9_000_000, 1, 1, 0, 0, 0, 0, time.UTC), want: "out of range"},
		{name: "duration_mixed_signs", typ: tDuration, val: Duration{Months: 1, Days: -1}, want: "different signs"},
		{name: "duration_decoded_mixed_signs", typ: tDuration, wire: "020100", into: new(Duration), want: "different signs"},
		{name: "duration_truncated", typ: tDuration, wire: "0204", into: new(Duration), want: "truncated"},
		{name: "duration_with_months_into_go", typ: tDuration, wire: "020000", into: new(time.Duration), want: "no fixed length"},
		{name: "timestamp_short", typ: tTimestamp, wire: "0102", into: new(time.Time), want: "want 8 bytes"},
	})
}

func TestDateHelpers(t *testing.T) {
	d := DateOf(time.Date(1969, 12, 31, 22, 0, 0, 0, time.UTC))
	if d != -1 || d.String() != "1969-12-31" {
		t.Fatalf("DateOf = %d %s, want -1 1969-12-31", d, d)
	}
	var got Date
	if err := Unmarshal(tDate, []byte{0x80, 0, 0, 2}, &got); err != nil || got != 2 {
		t.Fatalf("Unmarshal into *Date = %d, %v", got, err)
	}
}
