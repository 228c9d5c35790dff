package policy

import (
	"encoding/hex"
	"math"
	"testing"
)

// murmur3Vectors are Murmur3Partitioner tokens of serialized keys (hex).
//
// Sources:
//   - python: datastax/python-driver, tests/unit/test_metadata.py
//     (Murmur3TokensTest._verify_hash);
//   - rust: scylladb/scylla-rust-driver, scylla/src/routing/partitioner.rs
//     (test_murmur3_partitioner; Scylla keeps Cassandra's tokens);
//   - cassandra: printed by Cassandra itself,
//     org.apache.cassandra.dht.Murmur3Partitioner.instance.getToken from
//     cassandra-all-5.0.9.jar (Maven Central), for keys chosen here: the
//     first n letters of the alphabet, and n bytes 0xff, 0xf4, 0xe9, ...
//     (0xff-11*i), which put bytes >= 0x80 in tails of every length 1..15,
//     with and without a preceding 16-byte block, so that the sign
//     extension of tail bytes is pinned. Those vectors that the two driver
//     suites also cover agree with the jar.
var murmur3Vectors = []struct {
	name  string
	key   string // hex
	token int64
}{
	// python-driver
	{"python_123", "313233", -7468325962851647638},
	{"python_00ff10fa99_x10", "00ff10fa9900ff10fa9900ff10fa9900ff10fa9900ff10fa9900ff10fa9900ff10fa9900ff10fa9900ff10fa9900ff10fa99", 5837342703291459765},
	{"python_fe_x8", "fefefefefefefefe", -8927430733708461935},
	{"python_10_x8", "1010101010101010", 1446172840243228796},
	{"python_max_long_text", "39323233333732303336383534373735383037", 7162290910810015547},
	// scylla-rust-driver
	{"rust_test", "74657374", -6017608668500074083},
	{"rust_xd", "7864", 4507812186440344727},
	{"rust_primary_key", "7072696d6172795f6b6579", -1632642444691073360},
	{"rust_kremowki_utf8", "6b72656dc3b3776b69", 4354931215268080151},
	// cassandra-all-5.0.9.jar
	{"ascii_1_bytes", "61", -8839064797231613815},
	{"ascii_2_bytes", "6162", -7815133031266706642},
	{"ascii_3_bytes", "616263", -5434086359492102041},
	{"ascii_4_bytes", "61626364", -5153323217664422577},
	{"ascii_5_bytes", "6162636465", 2321271983248423864},
	{"ascii_6_bytes", "616263646566", -1982280103179862187},
	{"ascii_7_bytes", "61626364656667", -6427428730009885543},
	{"ascii_8_bytes", "6162636465666768", -3708139591217214462},
	{"ascii_9_bytes", "616263646566676869", 380484692874131812},
	{"ascii_10_bytes", "6162636465666768696a", -5277837174909203303},
	{"ascii_11_bytes", "6162636465666768696a6b", -6298899011365987070},
	{"ascii_12_bytes", "6162636465666768696a6b6c", -8145996112604765804},
	{"ascii_13_bytes", "6162636465666768696a6b6c6d", 1605577856027523699},
	{"ascii_14_bytes", "6162636465666768696a6b6c6d6e", -7939682693950507552},
	{"ascii_15_bytes", "6162636465666768696a6b6c6d6e6f", -8449275918290243589},
	{"ascii_16_bytes", "6162636465666768696a6b6c6d6e6f70", -4266531025627334877},
	{"ascii_17_bytes", "6162636465666768696a6b6c6d6e6f7071", 8459014091212432983},
	{"high_bytes_1", "ff", -4442228696663692417},
	{"high_bytes_2", "fff4", 7705814507839471553},
	{"high_bytes_3", "fff4e9", -2706751388764160212},
	{"high_bytes_4", "fff4e9de", -7783967074901298470},
	{"high_bytes_5", "fff4e9ded3", 6889384483500347571},
	{"high_bytes_6", "fff4e9ded3c8", -7592312343963383434},
	{"high_bytes_7", "fff4e9ded3c8bd", -8882402208924612546},
	{"high_bytes_8", "fff4e9ded3c8bdb2", 8695757317177063772},
	{"high_bytes_9", "fff4e9ded3c8bdb2a7", -4396889654097817996},
	{"high_bytes_10", "fff4e9ded3c8bdb2a79c", -7008829997642971096},
	{"high_bytes_11", "fff4e9ded3c8bdb2a79c91", 3753756657045329276},
	{"high_bytes_12", "fff4e9ded3c8bdb2a79c9186", -305868718846734800},
	{"high_bytes_13", "fff4e9ded3c8bdb2a79c91867b", -8211249821357673362},
	{"high_bytes_14", "fff4e9ded3c8bdb2a79c91867b70", 7399442885304474749},
	{"high_bytes_15", "fff4e9ded3c8bdb2a79c91867b7065", 437789979108974003},
	{"high_bytes_16", "fff4e9ded3c8bdb2a79c91867b70655a", 3401749979313203924},
	{"high_bytes_17", "fff4e9ded3c8bdb2a79c91867b70655a4f", 7418389615700658028},
	{"high_bytes_18", "fff4e9ded3c8bdb2a79c91867b70655a4f44", -1544234815927019017},
	{"high_bytes_19", "fff4e9ded3c8bdb2a79c91867b70655a4f4439", -5967694939136268657},
	{"high_bytes_20", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e", 106931613790389891},
	{"high_bytes_21", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23", -4370835864342607842},
	{"high_bytes_22", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e2318", 8063745175124990235},
	{"high_bytes_23", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d", -8703962183320516919},
	{"high_bytes_24", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02", 3114589767173886742},
	{"high_bytes_25", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7", -958335449885256487},
	{"high_bytes_26", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7ec", -4366113669086683039},
	{"high_bytes_27", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7ece1", 2230779575378615452},
	{"high_bytes_28", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7ece1d6", -2793794269042068039},
	{"high_bytes_29", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7ece1d6cb", 5424508438718461060},
	{"high_bytes_30", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7ece1d6cbc0", 3103118036199335958},
	{"high_bytes_31", "fff4e9ded3c8bdb2a79c91867b70655a4f44392e23180d02f7ece1d6cbc0b5", -3475902319504384159},
}

func TestMurmur3Vectors(t *testing.T) {
	p, err := PartitionerByName("org.apache.cassandra.dht.Murmur3Partitioner")
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range murmur3Vectors {
		t.Run(v.name, func(t *testing.T) {
			key, err := hex.DecodeString(v.key)
			if err != nil {
				t.Fatal(err)
			}
			want := murmur3Token(v.token)
			if got := p.Hash(key); got.Compare(want) != 0 {
				t.Errorf("Hash(%s) = %v, want %v", v.key, got, want)
			}
		})
	}
}

func TestMurmur3Particularities(t *testing.T) {
	t.Run("empty_key_has_the_minimum_token", func(t *testing.T) {
		// Murmur3Partitioner.getToken returns MINIMUM for an empty key
		// (checked against cassandra-all-5.0.9.jar as well).
		if got := murmur3.Hash(nil).String(); got != "-9223372036854775808" {
			t.Errorf("token of the empty key %s, want Long.MIN_VALUE", got)
		}
	})
	t.Run("long_min_value_hash_becomes_long_max_value", func(t *testing.T) {
		// No key is known to hash to Long.MIN_VALUE; the mapping is
		// Murmur3Partitioner.normalize.
		if got := murmur3Normalize(math.MinInt64); got != math.MaxInt64 {
			t.Errorf("normalize(MinInt64) = %d, want MaxInt64", got)
		}
		for _, v := range []int64{math.MinInt64 + 1, -1, 0, math.MaxInt64} {
			if got := murmur3Normalize(v); got != v {
				t.Errorf("normalize(%d) = %d, want it unchanged", v, got)
			}
		}
	})
	t.Run("hash_does_not_allocate", func(t *testing.T) {
		key := []byte("some partition key of moderate length")
		if n := testing.AllocsPerRun(100, func() { _ = murmur3.Hash(key) }); n != 0 {
			t.Errorf("%v allocations per Hash, want 0", n)
		}
	})
}

func BenchmarkMurmur3Hash(b *testing.B) {
	key := []byte("0123456789abcdef0123") // a 20-byte key: one block and a tail
	b.ReportAllocs()
	for b.Loop() {
		_ = murmur3.Hash(key)
	}
}
