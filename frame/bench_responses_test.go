package frame

import (
	"fmt"
	"testing"
)

// rspRowsBody builds a RESULT Rows body of n rows with the columns id int,
// name text, uid uuid, n bigint and data blob, under a global table spec.
func rspRowsBody(b testing.TB, n int) []byte {
	md := NewRowsMetadata(
		ColumnSpec{Keyspace: "ks", Table: "t", Name: "id", Type: &Type{ID: TypeInt}},
		ColumnSpec{Keyspace: "ks", Table: "t", Name: "name", Type: &Type{ID: TypeVarchar}},
		ColumnSpec{Keyspace: "ks", Table: "t", Name: "uid", Type: &Type{ID: TypeUUID}},
		ColumnSpec{Keyspace: "ks", Table: "t", Name: "n", Type: &Type{ID: TypeBigint}},
		ColumnSpec{Keyspace: "ks", Table: "t", Name: "data", Type: &Type{ID: TypeBlob}},
	)
	var data []byte
	for i := 0; i < n; i++ {
		data = AppendBytes(data, AppendInt(nil, int32(i)))
		data = AppendBytes(data, []byte(fmt.Sprintf("user-%d", i)))
		data = AppendBytes(data, make([]byte, 16))
		data = AppendBytes(data, AppendLong(nil, int64(i)*1000))
		if i%10 == 0 {
			data = AppendBytes(data, nil) // some nulls
		} else {
			data = AppendBytes(data, make([]byte, 32))
		}
	}
	body, err := (&RowsResult{Metadata: md, RowCount: n, Data: data}).Encode(nil, V4)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func benchmarkDecodeRows(b *testing.B, n int) {
	body := rspRowsBody(b, n)
	cells := make([][]byte, 5)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var m RowsResult
		if err := m.Decode(body, V4); err != nil {
			b.Fatal(err)
		}
		it := m.Rows()
		total := 0
		for it.Next(cells) {
			for _, c := range cells {
				total += len(c)
			}
		}
		if total == 0 {
			b.Fatal("no cells")
		}
	}
}

// BenchmarkDecodeRows100 decodes a 100-row, 5-column page and reads every
// cell: the allocations are those of the metadata, none per row.
func BenchmarkDecodeRows100(b *testing.B) { benchmarkDecodeRows(b, 100) }

// BenchmarkDecodeRows1000 shows the allocations do not grow with the rows.
func BenchmarkDecodeRows1000(b *testing.B) { benchmarkDecodeRows(b, 1000) }

// BenchmarkDecodeRows100NoMetadata is the prepared-statement path with
// skip-metadata: no allocation at all.
func BenchmarkDecodeRows100NoMetadata(b *testing.B) {
	body := rspRowsBody(b, 100)
	var full RowsResult
	if err := full.Decode(body, V4); err != nil {
		b.Fatal(err)
	}
	full.Metadata = RowsMetadata{Flags: MetadataNoMetadata, ColumnCount: 5}
	body, err := full.Encode(nil, V4)
	if err != nil {
		b.Fatal(err)
	}
	cells := make([][]byte, 5)
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var m RowsResult
		if err := m.Decode(body, V4); err != nil {
			b.Fatal(err)
		}
		it := m.Rows()
		for it.Next(cells) {
		}
	}
}
