package frame

import (
	"errors"
	"testing"
)

func TestVoidResultGolden(t *testing.T) {
	rspRunGolden(t, func() Message { return &VoidResult{} },
		rspForVersions(rspVersions, "void", &VoidResult{}, rspHex(`
			00000001 // kind: Void
		`)))
}

func TestSetKeyspaceResultGolden(t *testing.T) {
	rspRunGolden(t, func() Message { return &SetKeyspaceResult{} },
		rspForVersions(rspVersions, "use_keyspace", &SetKeyspaceResult{Keyspace: "ks"}, rspHex(`
			00000003  // kind: Set_keyspace
			0002 "ks" // keyspace
		`)))
}

func TestDecodeResultRejects(t *testing.T) {
	tests := map[string]struct {
		body string
		v    Version
	}{
		"unknown_kind":      {`00000006`, V4},
		"negative_kind":     {`ffffffff`, V4},
		"empty":             {``, V4},
		"bad_version":       {`00000001`, Version(6)},
		"void_with_payload": {`00000001 00`, V4},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			m, err := DecodeResult(rspHex(tt.body), tt.v)
			var de *DecodeError
			if !errors.As(err, &de) || m != nil {
				t.Fatalf("got %v, %v; want a *DecodeError", m, err)
			}
		})
	}
	var sk SetKeyspaceResult
	if err := sk.Decode(rspHex(`00000001`), V4); err == nil {
		t.Fatal("Set_keyspace decoded a Void body")
	}
}
