package frame

import "testing"

func TestParseConsistency(t *testing.T) {
	for c := Any; c <= LocalOne; c++ {
		for _, s := range []string{c.String(), " " + c.String() + " ", toLowerNoUnderscore(c.String())} {
			got, err := ParseConsistency(s)
			if err != nil || got != c {
				t.Errorf("ParseConsistency(%q) = %v, %v; want %v", s, got, err, c)
			}
		}
	}
	if got, err := ParseConsistency("LocalQuorum"); err != nil || got != LocalQuorum {
		t.Errorf("LocalQuorum: %v %v", got, err)
	}
	for _, bad := range []string{"", "QUORUMS", "LOCAL", "_"} {
		if _, err := ParseConsistency(bad); err == nil {
			t.Errorf("ParseConsistency(%q) accepted", bad)
		}
	}
}

func toLowerNoUnderscore(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			continue
		}
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		out = append(out, b)
	}
	return string(out)
}

// The zero level is Unset and has no wire value of its own; every named
// level keeps the specs' wire value, ANY included, and decoding a wire value
// never yields Unset.
func TestConsistencyWireValues(t *testing.T) {
	want := map[Consistency]uint16{Any: 0, One: 1, Two: 2, Three: 3, Quorum: 4, All: 5,
		LocalQuorum: 6, EachQuorum: 7, Serial: 8, LocalSerial: 9, LocalOne: 10}
	for c, w := range want {
		if got := c.Wire(); got != w {
			t.Errorf("%v.Wire() = %d, want %d", c, got, w)
		}
		if got := ConsistencyFromWire(w); got != c {
			t.Errorf("ConsistencyFromWire(%d) = %v, want %v", w, got, c)
		}
		if b := AppendConsistency(nil, c); len(b) != 2 || b[0] != 0 || b[1] != byte(w) {
			t.Errorf("AppendConsistency(%v) = %x", c, b)
		}
	}
	var zero Consistency
	if zero != Unset || zero.String() != "UNSET" {
		t.Errorf("zero Consistency = %v", zero)
	}
	if Any == Unset || Any.String() != "ANY" {
		t.Errorf("ANY must be distinct from the zero value")
	}
	for _, v := range []uint16{0x000B, 0x1234, 0xFFFF} {
		c := ConsistencyFromWire(v)
		if c == Unset || c.Wire() != v {
			t.Errorf("ConsistencyFromWire(0x%04x) = %v (wire 0x%04x)", v, c, c.Wire())
		}
	}
}
