package frame

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/rand/v2"
	"runtime"
	"testing"
)

// compressionInputs are bodies of the shapes a driver compresses: empty,
// tiny, repetitive text, and incompressible bytes.
func compressionInputs() map[string][]byte {
	rnd := rand.New(rand.NewPCG(1, 2))
	random := make([]byte, 64<<10)
	for i := range random {
		random[i] = byte(rnd.Uint32())
	}
	return map[string][]byte{
		"empty":      {},
		"one_byte":   {42},
		"text":       bytes.Repeat([]byte("SELECT * FROM ks.tbl WHERE pk = ?; "), 100),
		"random_64k": random,
		"zeros_200k": make([]byte, 200<<10),
	}
}

func TestCompressorsRoundTrip(t *testing.T) {
	for _, c := range []Compressor{LZ4, Snappy} {
		for name, in := range compressionInputs() {
			t.Run(c.Name()+"/"+name, func(t *testing.T) {
				prefix := []byte("keep")
				comp, err := c.AppendCompressed(append([]byte{}, prefix...), in)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.HasPrefix(comp, prefix) {
					t.Fatal("AppendCompressed clobbered dst")
				}
				out, err := c.AppendDecompressed([]byte("x"), comp[len(prefix):], len(in))
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(out[1:], in) || out[0] != 'x' {
					t.Fatalf("round trip gave %d bytes, want %d", len(out)-1, len(in))
				}
			})
		}
	}
}

func TestLZ4BodyLayout(t *testing.T) {
	// The body is a 4-byte big-endian uncompressed length then the block.
	in := bytes.Repeat([]byte("hello cassandra "), 8)
	got, err := LZ4.AppendCompressed(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	if want := []byte{0, 0, 0, 128}; !bytes.Equal(got[:4], want) {
		t.Fatalf("length prefix % x, want % x", got[:4], want)
	}
	// Produced by the Python driver's lz4 wrapper (lz4 4.4.5), see
	// testdata/interop/witness.py lz4-compress: it must decode here. The Go
	// output was fed to the same script's "lz4" mode and decoded to the input.
	py, _ := hex.DecodeString("00000080ff0168656c6c6f2063617373616e64726120100058506e64726120")
	out, err := LZ4.AppendDecompressed(nil, py, 0)
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("python lz4 body: %q, %v", out, err)
	}
	// The empty body is the length 0 and the one-byte block 0x00.
	got, _ = LZ4.AppendCompressed(nil, nil)
	if want := []byte{0, 0, 0, 0, 0}; !bytes.Equal(got, want) {
		t.Fatalf("empty body % x, want % x", got, want)
	}
}

func TestDecompressRefusesBeforeAllocating(t *testing.T) {
	cases := []struct {
		name string
		c    Compressor
		in   []byte
		max  int
		want error
	}{
		{"lz4_over_max", LZ4, []byte{0x10, 0, 0, 0, 0x00}, 1 << 20, &BodyTooLargeError{}},
		{"lz4_over_ratio", LZ4, []byte{0x00, 0x10, 0, 0, 0x1f, 0x61, 1, 0}, 0, ErrCorruptCompressed},
		{"lz4_short_prefix", LZ4, []byte{0, 0}, 0, ErrTruncated},
		{"snappy_over_max", Snappy, []byte{0x80, 0x80, 0x80, 0x80, 0x0f}, 1 << 20, &BodyTooLargeError{}},
		{"snappy_over_ratio", Snappy, []byte{0x80, 0x80, 0x80, 0x08, 0x00}, 0, ErrCorruptCompressed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.c.AppendDecompressed(nil, tc.in, tc.max)
			if err == nil {
				t.Fatal("no error")
			}
			var tooLarge *BodyTooLargeError
			if _, ok := tc.want.(*BodyTooLargeError); ok {
				if !errors.As(err, &tooLarge) {
					t.Fatalf("error %v, want BodyTooLargeError", err)
				}
			} else if !errors.Is(err, tc.want) {
				t.Fatalf("error %v, want %v", err, tc.want)
			}
			// Bytes per refusal, averaged over many runs so that other
			// goroutines allocating meanwhile cannot make it fail: a
			// buffer sized from the declared length (a megabyte here)
			// would show in every run.
			if n := bytesPerRun(200, func() { tc.c.AppendDecompressed(nil, tc.in, tc.max) }); n > 4096 {
				t.Fatalf("allocated %d bytes per refusal", n)
			}
		})
	}
}

// bytesPerRun is testing.AllocsPerRun for bytes: the average allocated by
// f over runs calls, after one warm-up call.
func bytesPerRun(runs int, f func()) uint64 {
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

func TestDecompressRejectsLies(t *testing.T) {
	comp, _ := LZ4.AppendCompressed(nil, []byte("abcdefabcdefabcdef"))
	comp[3]++ // declares one byte more than the block holds
	if _, err := LZ4.AppendDecompressed(nil, comp, 0); !errors.Is(err, ErrCorruptCompressed) {
		t.Fatalf("lz4 length lie: %v", err)
	}
	if _, err := LZ4.AppendDecompressed(nil, []byte{0, 0, 0, 0, 0x10}, 0); !errors.Is(err, ErrCorruptCompressed) {
		t.Fatalf("lz4 empty with junk: %v", err)
	}
	if _, err := Snappy.AppendDecompressed(nil, []byte{0x05, 0xff}, 0); !errors.Is(err, ErrCorruptCompressed) {
		t.Fatalf("snappy junk: %v", err)
	}
}

func TestLZ4BlockHelpers(t *testing.T) {
	bc := LZ4.(BlockCompressor)
	in := bytes.Repeat([]byte{'a'}, 100)
	block, err := bc.AppendBlock(nil, in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := bc.AppendBlockDecompressed(nil, block, len(in))
	if err != nil || !bytes.Equal(out, in) {
		t.Fatalf("block round trip: %v", err)
	}
	if _, err := bc.AppendBlockDecompressed(nil, block, len(in)+1); err == nil {
		t.Fatal("wrong declared length accepted")
	}
	if _, err := bc.AppendBlockDecompressed(nil, block, 1<<30); !errors.Is(err, ErrCorruptCompressed) {
		t.Fatalf("impossible length: %v", err)
	}
	if _, ok := Snappy.(BlockCompressor); ok {
		t.Fatal("snappy must not be usable for v5 segments")
	}
}

func TestCompressorsDoNotAllocateWithCapacity(t *testing.T) {
	in := compressionInputs()["text"]
	for _, c := range []Compressor{LZ4, Snappy} {
		buf := make([]byte, 0, 64<<10)
		comp, _ := c.AppendCompressed(nil, in)
		out := make([]byte, 0, 64<<10)
		if n := testing.AllocsPerRun(100, func() { buf, _ = c.AppendCompressed(buf[:0], in) }); n != 0 {
			t.Errorf("%s AppendCompressed: %v allocs", c.Name(), n)
		}
		if n := testing.AllocsPerRun(100, func() { out, _ = c.AppendDecompressed(out[:0], comp, 0) }); n != 0 {
			t.Errorf("%s AppendDecompressed: %v allocs", c.Name(), n)
		}
	}
}
