package frame

import (
	"errors"
	"testing"
)

func TestPreparedResultGolden(t *testing.T) {
	params := PreparedMetadata{
		Flags: MetadataGlobalTablesSpec,
		Columns: []ColumnSpec{
			{Keyspace: "ks", Table: "t", Name: "id", Type: &Type{ID: TypeInt}},
			{Keyspace: "ks", Table: "t", Name: "v", Type: &Type{ID: TypeVarchar}},
		},
	}
	result := RowsMetadata{
		Flags:       MetadataGlobalTablesSpec,
		ColumnCount: 1,
		Columns:     []ColumnSpec{{Keyspace: "ks", Table: "t", Name: "v", Type: &Type{ID: TypeVarchar}}},
	}
	withPK := params
	withPK.PKIndexes = []uint16{0}
	cases := []rspCase{
		{name: "select_without_pk_indexes", v: V3, msg: &PreparedResult{ID: []byte{0x01, 0x02}, Params: params, Result: result}, body: rspHex(`
			00000004      // kind: Prepared
			0002 0102     // id [short bytes]
			00000001      // metadata flags: global_tables_spec
			00000002      // columns_count: 2 bind markers
			              // (no pk_count before v4)
			0002 "ks" 0001 "t" // global table spec
			0002 "id" 0009 // bind marker "id": int
			0001 "v"  000d // bind marker "v": varchar
			00000001      // result metadata flags: global_tables_spec
			00000001      // columns_count
			0002 "ks" 0001 "t" // global table spec
			0001 "v" 000d // column "v": varchar
		`)},
		{name: "select_with_pk_indexes", v: V4, msg: &PreparedResult{ID: []byte{0x01, 0x02}, Params: withPK, Result: result}, body: rspHex(`
			00000004      // kind: Prepared
			0002 0102     // id
			00000001      // metadata flags: global_tables_spec
			00000002      // columns_count
			00000001 0000 // pk_count 1, pk_index_1 = bind marker 0
			0002 "ks" 0001 "t"
			0002 "id" 0009
			0001 "v"  000d
			00000001      // result metadata flags
			00000001      // columns_count
			0002 "ks" 0001 "t"
			0001 "v" 000d
		`)},
		{name: "select_with_result_metadata_id", v: V5, msg: &PreparedResult{ID: []byte{0x01, 0x02}, ResultMetadataID: []byte{0xbe, 0xef}, Params: withPK, Result: result}, body: rspHex(`
			00000004      // kind: Prepared
			0002 0102     // id
			0002 beef     // result_metadata_id [short bytes] (v5)
			00000001      // metadata flags
			00000002      // columns_count
			00000001 0000 // pk_count 1, pk_index_1 = 0
			0002 "ks" 0001 "t"
			0002 "id" 0009
			0001 "v"  000d
			00000001      // result metadata flags
			00000001      // columns_count
			0002 "ks" 0001 "t"
			0001 "v" 000d
		`)},
		{name: "insert_with_empty_result_metadata", v: V4, msg: &PreparedResult{
			ID: []byte{0xaa},
			Params: PreparedMetadata{Columns: []ColumnSpec{
				{Keyspace: "ks", Table: "t", Name: "a", Type: &Type{ID: TypeBigint}},
				{Keyspace: "ks2", Table: "u", Name: "b", Type: &Type{ID: TypeList, Elems: []*Type{{ID: TypeVarchar}}}},
			}, PKIndexes: []uint16{1, 0}},
			Result: RowsMetadata{Flags: MetadataNoMetadata},
		}, body: rspHex(`
			00000004      // kind: Prepared
			0001 aa       // id
			00000000      // metadata flags: per-column table specs
			00000002      // columns_count
			00000002 0001 0000 // pk_count 2: bind markers 1 then 0
			0002 "ks"  0001 "t" 0001 "a" 0002      // ks.t.a bigint
			0003 "ks2" 0001 "u" 0001 "b" 0020 000d // ks2.u.b list<varchar>
			00000004      // result metadata flags: no_metadata
			00000000      // columns_count 0
		`)},
	}
	rspRunGolden(t, func() Message { return &PreparedResult{} }, cases)
}

func TestPreparedResultRejects(t *testing.T) {
	var m PreparedResult
	// pk_index 2 of a statement with one bind marker.
	body := rspHex(`00000004 0001 aa 00000001 00000001 00000001 0002 0002 "ks" 0001 "t" 0001 "a" 0009 00000004 00000000`)
	if err := m.Decode(body, V4); err == nil {
		t.Fatal("out-of-range pk index decoded")
	}
	hostile := rspHex(`00000004 0001 aa 00000001 7fffffff 00000000 0002 "ks" 0001 "t"`)
	if err := m.Decode(hostile, V4); !errors.Is(err, ErrTruncated) {
		t.Fatalf("hostile column count: %v", err)
	}
	if n := rspAllocBytes(func() { _ = m.Decode(hostile, V4) }); n > 1024 {
		t.Fatalf("hostile column count allocated %d bytes", n)
	}
	hostilePK := rspHex(`00000004 0001 aa 00000001 00000001 7fffffff 0000`)
	if n := rspAllocBytes(func() { _ = m.Decode(hostilePK, V4) }); n > 1024 {
		t.Fatalf("hostile pk count allocated %d bytes", n)
	}
	for name, p := range map[string]*PreparedResult{
		"result_metadata_id_before_v5": {ResultMetadataID: []byte{1}},
		"pk_indexes_in_v3":             {Params: PreparedMetadata{Columns: []ColumnSpec{{Name: "a", Type: &Type{ID: TypeInt}}}, PKIndexes: []uint16{0}}},
	} {
		if _, err := p.Encode(nil, V3); err == nil {
			t.Errorf("%s: encoded", name)
		}
	}
	bad := &PreparedResult{Params: PreparedMetadata{Columns: []ColumnSpec{{Name: "a", Type: &Type{ID: TypeInt}}}, PKIndexes: []uint16{1}}}
	if _, err := bad.Encode(nil, V4); err == nil {
		t.Error("out-of-range pk index encoded")
	}
}

func TestPreparedIDOutlivesBody(t *testing.T) {
	body := rspHex(`00000004 0001 aa 00000000 00000000 00000000 00000004 00000000`)
	var m PreparedResult
	if err := m.Decode(body, V4); err != nil {
		t.Fatal(err)
	}
	body[5] = 0
	if m.ID[0] != 0xaa {
		t.Fatal("prepared ID aliases the frame body")
	}
}
