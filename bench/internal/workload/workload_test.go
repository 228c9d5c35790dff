package workload

import "testing"

func TestEveryShapeIsFoundByItsText(t *testing.T) {
	for _, cql := range []string{SelectCQL, InsertCQL, PageCQL} {
		s, ok := ShapeOf(cql)
		if !ok || s.CQL != cql {
			t.Errorf("ShapeOf(%q) = %v, %v", cql, s.CQL, ok)
		}
	}
	if _, ok := ShapeOf("SELECT 1"); ok {
		t.Error("an unknown statement has a shape")
	}
}

func TestSelectReturnsThreeColumns(t *testing.T) {
	for _, cql := range []string{SelectCQL, PageCQL} {
		s, _ := ShapeOf(cql)
		if len(s.Columns) != 3 {
			t.Errorf("%s: %d columns, want 3", cql, len(s.Columns))
		}
	}
}

func TestKnownWorkloads(t *testing.T) {
	for _, w := range All {
		if !Known(w) {
			t.Errorf("%s not known", w)
		}
	}
	if Known("select2") {
		t.Error("select2 is known")
	}
}

func TestIntEncodings(t *testing.T) {
	if got := AppendInt(nil, -2); string(got) != "\xff\xff\xff\xfe" {
		t.Errorf("int -2 = %x", got)
	}
	if got := AppendBigint(nil, 1<<32+5); string(got) != "\x00\x00\x00\x01\x00\x00\x00\x05" {
		t.Errorf("bigint = %x", got)
	}
}
