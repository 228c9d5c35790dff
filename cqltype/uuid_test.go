package cqltype

import (
	"testing"

	"github.com/google/uuid"
)

func TestUUIDGolden(t *testing.T) {
	v4 := uuid.MustParse("f81d4fae-7dec-41d0-a765-00a0c91e6bf6")
	v1 := uuid.MustParse("e7a3a7c0-9c4b-11ee-8c90-0242ac120002")
	runGolden(t, []golden{
		{name: "uuid", typ: tUUID, val: v4, wire: "f81d4fae7dec41d0a76500a0c91e6bf6", natural: v4},
		{name: "from_array", typ: tUUID, val: [16]byte(v4), wire: "f81d4fae7dec41d0a76500a0c91e6bf6"},
		{name: "from_string", typ: tUUID, val: v4.String(), wire: "f81d4fae7dec41d0a76500a0c91e6bf6", want: v4},
		{name: "into_string", typ: tUUID, val: v4, wire: "f81d4fae7dec41d0a76500a0c91e6bf6", want: v4.String()},
		{name: "timeuuid", typ: tTimeUUID, val: v1, wire: "e7a3a7c09c4b11ee8c900242ac120002", natural: v1},
	})
	runErrors(t, []errCase{
		{name: "timeuuid_v4", typ: tTimeUUID, val: v4, want: "timeuuid needs a version 1 UUID"},
		{name: "timeuuid_v4_decoded", typ: tTimeUUID, wire: "f81d4fae7dec41d0a76500a0c91e6bf6", into: new(uuid.UUID), want: "version 1"},
		{name: "bad_string", typ: tUUID, val: "not-a-uuid", want: "invalid UUID"},
		{name: "short_bytes", typ: tUUID, val: []byte{1, 2}, want: "want 16 bytes, got 2"},
		{name: "wrong_length", typ: tUUID, wire: "0102", into: new(uuid.UUID), want: "want 16 bytes, got 2"},
		{name: "int_into_uuid", typ: tUUID, val: 1, want: "not accepted"},
	})
}
