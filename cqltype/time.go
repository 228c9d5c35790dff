package cqltype

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/cqlgo/cassandra/frame"
)

// timestamp: int64 milliseconds since the Unix epoch.
// date: uint32 days with 2^31 at the epoch (1970-01-01).
// time: int64 nanoseconds since midnight, 0 to 86399999999999.
// duration: three zig-zag vints, months, days and nanoseconds, all of the
// same sign.

// Duration is a CQL duration: months, days and nanoseconds kept apart, as
// the length of a month or a day in nanoseconds depends on the calendar.
// All three must have the same sign (or be zero).
type Duration struct {
	Months      int32
	Days        int32
	Nanoseconds int64
}

// Date is a CQL date as a count of days since 1970-01-01 (negative before).
// It covers the whole range of the column, which time.Time also does; use
// it to avoid time zones entirely.
type Date int32

// DateOf returns the calendar date of t in t's location; the clock time is
// ignored.
func DateOf(t time.Time) Date {
	d, _ := daysOf(t)
	return Date(d)
}

// Time returns midnight UTC of the date.
func (d Date) Time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// String formats the date as YYYY-MM-DD.
func (d Date) String() string { return d.Time().Format(time.DateOnly) }

const (
	dateEpoch   = 1 << 31
	nanosPerDay = int64(24 * time.Hour)
	maxMilliSec = math.MaxInt64 / 1000
	maxMilliRem = math.MaxInt64 % 1000
	minMilliSec = math.MinInt64/1000 - 1
	minMilliRem = math.MinInt64 - (math.MinInt64/1000-1)*1000
)

var (
	errTimeOfDay     = errors.New("time of day must be within [0, 24h)")
	errDurationSigns = errors.New("months, days and nanoseconds must not have different signs")
)

// daysOf counts the days from the epoch to t's calendar date.
func daysOf(t time.Time) (int64, bool) {
	y, m, d := t.Date()
	days := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	return days, days >= math.MinInt32 && days <= math.MaxInt32
}

func appendTimestamp(dst []byte, v any) ([]byte, error) {
	var ms int64
	switch x := v.(type) {
	case time.Time:
		// Sub-millisecond precision is dropped (floored), as the column
		// cannot store it; the instant is otherwise kept.
		// The bounds are int64 milliseconds split into seconds and the
		// millisecond within; in range, UnixMilli's wrapping arithmetic
		// is exact.
		sec, msec := x.Unix(), int64(x.Nanosecond()/1e6)
		if sec > maxMilliSec || sec == maxMilliSec && msec > maxMilliRem ||
			sec < minMilliSec || sec == minMilliSec && msec < minMilliRem {
			return dst, errOutOfRange
		}
		ms = x.UnixMilli()
	default:
		n, b, ok := intArg(v)
		if !ok {
			return dst, errWrongGoType
		}
		if b != nil {
			return dst, errOutOfRange
		}
		ms = n
	}
	return binary.BigEndian.AppendUint64(dst, uint64(ms)), nil
}

func appendDate(dst []byte, v any) ([]byte, error) {
	var days int64
	switch x := v.(type) {
	case Date:
		days = int64(x)
	case time.Time:
		var ok bool
		if days, ok = daysOf(x); !ok {
			return dst, errOutOfRange
		}
	default:
		return dst, errWrongGoType
	}
	return binary.BigEndian.AppendUint32(dst, uint32(days+dateEpoch)), nil
}

func appendTime(dst []byte, v any) ([]byte, error) {
	n, b, ok := intArg(v) // time.Duration and int64 nanoseconds
	if !ok {
		return dst, errWrongGoType
	}
	if b != nil || n < 0 || n >= nanosPerDay {
		return dst, errTimeOfDay
	}
	return binary.BigEndian.AppendUint64(dst, uint64(n)), nil
}

func appendDuration(dst []byte, v any) ([]byte, error) {
	var d Duration
	switch x := v.(type) {
	case Duration:
		d = x
	case time.Duration:
		d.Nanoseconds = int64(x)
	default:
		return dst, errWrongGoType
	}
	if !d.signsAgree() {
		return dst, errDurationSigns
	}
	dst = frame.AppendVInt(dst, int64(d.Months))
	dst = frame.AppendVInt(dst, int64(d.Days))
	return frame.AppendVInt(dst, d.Nanoseconds), nil
}

func (d Duration) signsAgree() bool {
	neg := d.Months < 0 || d.Days < 0 || d.Nanoseconds < 0
	pos := d.Months > 0 || d.Days > 0 || d.Nanoseconds > 0
	return !(neg && pos)
}

// decodeTimeTime decodes a timestamp (UTC) or a date (midnight UTC); null
// is the zero time.Time.
func decodeTimeTime(t *frame.Type, data []byte) (time.Time, error) {
	if len(data) == 0 {
		return time.Time{}, nil
	}
	if t.ID == frame.TypeDate {
		if len(data) != 4 {
			return time.Time{}, wrongLength(4, len(data))
		}
		days := int64(binary.BigEndian.Uint32(data)) - dateEpoch
		return time.Unix(days*86400, 0).UTC(), nil
	}
	if len(data) != 8 {
		return time.Time{}, wrongLength(8, len(data))
	}
	return time.UnixMilli(int64(binary.BigEndian.Uint64(data))).UTC(), nil
}

// decodeDate decodes a date into days since the epoch.
func decodeDate(data []byte) (Date, error) {
	if len(data) == 0 {
		return 0, nil
	}
	if len(data) != 4 {
		return 0, wrongLength(4, len(data))
	}
	return Date(int64(binary.BigEndian.Uint32(data)) - dateEpoch), nil
}

// decodeGoDuration decodes a time (nanoseconds since midnight) or a
// duration without months and days; null is 0.
func decodeGoDuration(t *frame.Type, data []byte) (time.Duration, error) {
	if len(data) == 0 {
		return 0, nil
	}
	if t.ID == frame.TypeDuration {
		d, err := decodeDuration(data)
		if err != nil {
			return 0, err
		}
		if d.Months != 0 || d.Days != 0 {
			return 0, fmt.Errorf("%w: duration has months or days, which have no fixed length", errOutOfRange)
		}
		return time.Duration(d.Nanoseconds), nil
	}
	if len(data) != 8 {
		return 0, wrongLength(8, len(data))
	}
	n := int64(binary.BigEndian.Uint64(data))
	if n < 0 || n >= nanosPerDay {
		return 0, errTimeOfDay
	}
	return time.Duration(n), nil
}

// decodeDuration decodes the three vints of a duration.
func decodeDuration(data []byte) (Duration, error) {
	if len(data) == 0 {
		return Duration{}, nil
	}
	r := frame.NewReader(data, "duration")
	months := r.VInt("months")
	days := r.VInt("days")
	nanos := r.VInt("nanoseconds")
	if err := r.Done(); err != nil {
		return Duration{}, err
	}
	if months != int64(int32(months)) || days != int64(int32(days)) {
		return Duration{}, errOutOfRange
	}
	d := Duration{Months: int32(months), Days: int32(days), Nanoseconds: nanos}
	if !d.signsAgree() {
		return Duration{}, errDurationSigns
	}
	return d, nil
}

func init() {
	register(&codec{append: ignoreType(appendTimestamp), natural: naturalOf[time.Time](), decode: scalar(decodeTimeTime)}, frame.TypeTimestamp)
	register(&codec{append: ignoreType(appendDate), natural: naturalOf[time.Time](), decode: scalar(decodeTimeTime)}, frame.TypeDate)
	register(&codec{append: ignoreType(appendTime), natural: naturalOf[time.Duration](), decode: scalar(decodeGoDuration)}, frame.TypeTime)
	register(&codec{append: ignoreType(appendDuration), natural: naturalOf[Duration](),
		decode: scalar(func(_ *frame.Type, data []byte) (Duration, error) { return decodeDuration(data) })}, frame.TypeDuration)
}
