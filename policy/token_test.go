package policy

import (
	"errors"
	"slices"
	"testing"
)

func TestPartitionerByName(t *testing.T) {
	for _, tc := range []struct {
		name, class, want string
	}{
		{"murmur3_fully_qualified", "org.apache.cassandra.dht.Murmur3Partitioner", "Murmur3Partitioner"},
		{"murmur3_short", "Murmur3Partitioner", "Murmur3Partitioner"},
		{"random_fully_qualified", "org.apache.cassandra.dht.RandomPartitioner", "RandomPartitioner"},
		{"random_short", "RandomPartitioner", "RandomPartitioner"},
		{"byte_ordered_fully_qualified", "org.apache.cassandra.dht.ByteOrderedPartitioner", "ByteOrderedPartitioner"},
		{"byte_ordered_short", "ByteOrderedPartitioner", "ByteOrderedPartitioner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PartitionerByName(tc.class)
			if err != nil {
				t.Fatal(err)
			}
			if p.Name() != tc.want {
				t.Errorf("Name() = %q, want %q", p.Name(), tc.want)
			}
		})
	}
	for _, class := range []string{"org.apache.cassandra.dht.OrderPreservingPartitioner", "LocalPartitioner", "", "murmur3partitioner"} {
		t.Run("unsupported_"+class, func(t *testing.T) {
			_, err := PartitionerByName(class)
			var ue *UnsupportedPartitionerError
			if !errors.As(err, &ue) || ue.Name != class {
				t.Errorf("err = %v, want *UnsupportedPartitionerError for %q", err, class)
			}
		})
	}
}

// parseAll parses tokens that must be valid.
func parseAll(t *testing.T, p Partitioner, ss ...string) []Token {
	t.Helper()
	out := make([]Token, len(ss))
	for i, s := range ss {
		tok, err := p.ParseToken(s)
		if err != nil {
			t.Fatalf("ParseToken(%q): %v", s, err)
		}
		out[i] = tok
	}
	return out
}

// assertAscending checks that the tokens are strictly ascending and that
// Compare and Less agree with that in both directions.
func assertAscending(t *testing.T, ss []string, toks []Token) {
	t.Helper()
	for i := range toks {
		for j := range toks {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := toks[i].Compare(toks[j]); got != want {
				t.Errorf("Compare(%s, %s) = %d, want %d", ss[i], ss[j], got, want)
			}
			if got := toks[i].Less(toks[j]); got != (i < j) {
				t.Errorf("Less(%s, %s) = %v, want %v", ss[i], ss[j], got, i < j)
			}
		}
	}
}

func TestTokenOrderAndParsing(t *testing.T) {
	for _, tc := range []struct {
		name      string
		p         Partitioner
		ascending []string // valid tokens in ring order, each printed back as is
		invalid   []string
	}{
		{
			name:      "murmur3_signed_64_bit",
			p:         murmur3,
			ascending: []string{"-9223372036854775808", "-9223372036854775807", "-1", "0", "1", "9223372036854775807"},
			invalid:   []string{"", "9223372036854775808", "-9223372036854775809", "1.5", "0x10", "abc"},
		},
		{
			name: "random_minus_one_to_2_pow_127",
			p:    random,
			ascending: []string{"-1", "0", "1", "18446744073709551615", "18446744073709551616",
				"85070591730234615865843651857942052864", "170141183460469231731687303715884105727",
				"170141183460469231731687303715884105728"},
			invalid: []string{"", "-2", "170141183460469231731687303715884105729", "1e3", "abc"},
		},
		{
			name:      "byte_ordered_unsigned_lexicographic",
			p:         byteOrdered,
			ascending: []string{"", "00", "0000", "01", "0100", "7f", "80", "80ff", "fe", "ff", "ff00"},
			invalid:   []string{"zz", "0g"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			toks := parseAll(t, tc.p, tc.ascending...)
			assertAscending(t, tc.ascending, toks)
			for i, tok := range toks {
				if got := tok.String(); got != tc.ascending[i] {
					t.Errorf("String() = %q, want %q", got, tc.ascending[i])
				}
			}
			for _, s := range tc.invalid {
				_, err := tc.p.ParseToken(s)
				var ie *InvalidTokenError
				if !errors.As(err, &ie) || ie.Token != s || ie.Partitioner != tc.p.Name() {
					t.Errorf("ParseToken(%q) err = %v, want *InvalidTokenError", s, err)
				}
			}
		})
	}
	t.Run("byte_ordered_odd_digit_count_reads_a_leading_zero", func(t *testing.T) {
		toks := parseAll(t, byteOrdered, "abc", "0abc")
		if toks[0].Compare(toks[1]) != 0 {
			t.Errorf("%v != %v", toks[0], toks[1])
		}
	})
	t.Run("zero_token_is_below_every_token", func(t *testing.T) {
		for _, tok := range []Token{murmur3.Hash(nil), random.Hash(nil), byteOrdered.Hash(nil)} {
			if !(Token{}).Less(tok) {
				t.Errorf("zero Token not below %v", tok)
			}
		}
	})
}

func TestRandomPartitionerHash(t *testing.T) {
	// Sources: "123" and the text of Long.MAX_VALUE from datastax/python-driver
	// tests/unit/test_metadata.py (MD5TokensTest); the others printed by
	// org.apache.cassandra.dht.RandomPartitioner.instance.getToken from
	// cassandra-all-5.0.9.jar, which also gives -1 (the minimum) for the
	// empty key. 0xff... keys have a digest with the high bit set, so the
	// absolute value is taken.
	for _, tc := range []struct {
		name, key, token string
	}{
		{"python_123", "123", "42767516990368493138776584305024125808"},
		{"python_max_long_text", "9223372036854775807", "28528976619278518853815276204542453639"},
		{"empty_is_minimum", "", "-1"},
		{"a", "a", "16955237001963240173058271559858726497"},
		{"test", "test", "12707736894140473154801792860916528374"},
		{"ff", "\xff", "463733602705843015805947089201357461"},
		{"fff4", "\xff\xf4", "137706561439983534564601450838005291435"},
		{"fff4e9", "\xff\xf4\xe9", "120110281210982821794717953472518233959"},
		{"fff4e9de", "\xff\xf4\xe9\xde", "19085905549800683522135909681396635033"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := random.Hash([]byte(tc.key))
			if got.String() != tc.token {
				t.Errorf("Hash(%q) = %v, want %s", tc.key, got, tc.token)
			}
			want := parseAll(t, random, tc.token)[0]
			if got.Compare(want) != 0 {
				t.Errorf("Hash(%q) does not compare equal to the parsed %s", tc.key, tc.token)
			}
		})
	}
}

func TestByteOrderedHash(t *testing.T) {
	t.Run("token_is_the_key", func(t *testing.T) {
		key := []byte{0x00, 0x80, 0xff}
		if got := byteOrdered.Hash(key).String(); got != "0080ff" {
			t.Errorf("Hash = %s, want 0080ff", got)
		}
	})
	t.Run("keys_order_as_unsigned_bytes", func(t *testing.T) {
		keys := [][]byte{{}, {0x00}, {0x01, 0x00}, {0x7f}, {0x80}, {0xff}}
		toks := make([]Token, len(keys))
		ss := make([]string, len(keys))
		for i, k := range keys {
			toks[i] = byteOrdered.Hash(k)
			ss[i] = toks[i].String()
		}
		assertAscending(t, ss, toks)
	})
}

func TestHashesDoNotAllocate(t *testing.T) {
	key := []byte("a partition key")
	for _, p := range []Partitioner{murmur3, random, byteOrdered} {
		t.Run(p.Name(), func(t *testing.T) {
			if n := testing.AllocsPerRun(100, func() { _ = p.Hash(key) }); n != 0 {
				t.Errorf("%v allocations per Hash, want 0", n)
			}
		})
	}
}

func TestTokenSortsWithSlices(t *testing.T) {
	toks := parseAll(t, murmur3, "5", "-3", "100", "0")
	slices.SortFunc(toks, Token.Compare)
	var got []string
	for _, tok := range toks {
		got = append(got, tok.String())
	}
	if want := []string{"-3", "0", "5", "100"}; !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}
