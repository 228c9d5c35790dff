package frame

import (
	"errors"
	"strings"
	"testing"
)

func TestSupportedGolden(t *testing.T) {
	newMsg := func() Message { return &Supported{} }
	var cases []rspCase
	cases = append(cases, rspForVersions(rspVersions, "options_in_sorted_order", &Supported{Options: map[string][]string{
		"CQL_VERSION":       {"3.4.7"},
		"COMPRESSION":       {"lz4", "snappy"},
		"PROTOCOL_VERSIONS": {"3/v3", "4/v4", "5/v5"},
	}}, rspHex(`
		0003                         // [string multimap] with 3 keys
		000b "COMPRESSION"           // key
		0002 0003 "lz4" 0006 "snappy" // [string list] of 2
		000b "CQL_VERSION"           // key
		0001 0005 "3.4.7"            // [string list] of 1
		0011 "PROTOCOL_VERSIONS"     // key
		0003 0004 "3/v3" 0004 "4/v4" 0004 "5/v5"
	`))...)
	cases = append(cases, rspForVersions(rspVersions, "no_options", &Supported{}, rspHex(`
		0000 // empty multimap
	`))...)
	rspRunGolden(t, newMsg, cases)
}

func TestSupportedRejectsHostileCount(t *testing.T) {
	var m Supported
	err := m.Decode(rspHex(`ffff 0001 "a" 0000`), V4)
	if !errors.Is(err, ErrTruncated) {
		t.Fatalf("got %v, want ErrTruncated", err)
	}
}

func TestSupportedEncodeRejectsLongValue(t *testing.T) {
	m := Supported{Options: map[string][]string{"K": {strings.Repeat("x", 70000)}}}
	var ee *EncodeError
	if _, err := m.Encode(nil, V4); !errors.As(err, &ee) {
		t.Fatalf("got %v, want *EncodeError", err)
	}
}
