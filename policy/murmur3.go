package policy

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// murmur3Partitioner is Cassandra's Murmur3Partitioner: the token is the
// first 64-bit half of MurmurHash3 x64 128 (seed 0) of the key, with two
// Cassandra particularities:
//
//   - the tail bytes (the last len%16) are sign-extended before they are
//     mixed in, because Cassandra's Java implementation widens signed
//     bytes to long; keys whose tail holds a byte >= 0x80 therefore hash
//     differently from the reference C++ MurmurHash3;
//   - Long.MIN_VALUE is reserved as the ring's minimum, so a hash of
//     math.MinInt64 becomes math.MaxInt64, and the empty key has the
//     minimum token.
type murmur3Partitioner struct{}

const murmur3SignBit = 1 << 63

func (murmur3Partitioner) Name() string { return "Murmur3Partitioner" }

func (murmur3Partitioner) Hash(key []byte) Token {
	if len(key) == 0 {
		return murmur3Token(math.MinInt64)
	}
	return murmur3Token(murmur3Normalize(murmur3H1(key)))
}

func (murmur3Partitioner) ParseToken(s string) (Token, error) {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return Token{}, &InvalidTokenError{Partitioner: "Murmur3Partitioner", Token: s, Err: err}
	}
	return murmur3Token(v), nil
}

// murmur3Token stores v so that unsigned order is signed order.
func murmur3Token(v int64) Token { return Token{kind: kindMurmur3, lo: uint64(v) ^ murmur3SignBit} }

// murmur3Normalize maps the hash to a token: Long.MIN_VALUE is the
// minimum token, which no key may have.
func murmur3Normalize(h int64) int64 {
	if h == math.MinInt64 {
		return math.MaxInt64
	}
	return h
}

const (
	murmur3C1 = 0x87c37b91114253d5
	murmur3C2 = 0x4cf5ad432745937f
)

// murmur3H1 returns the first half of MurmurHash3_x64_128(key, seed 0) as
// Cassandra computes it (sign-extended tail bytes).
func murmur3H1(key []byte) int64 {
	var h1, h2 uint64
	n := len(key)
	blocks := key[:n&^15]
	for len(blocks) >= 16 {
		k1 := binary.LittleEndian.Uint64(blocks)
		k2 := binary.LittleEndian.Uint64(blocks[8:])
		blocks = blocks[16:]

		h1 ^= murmur3MixK1(k1)
		h1 = bits.RotateLeft64(h1, 27) + h2
		h1 = h1*5 + 0x52dce729

		h2 ^= murmur3MixK2(k2)
		h2 = bits.RotateLeft64(h2, 31) + h1
		h2 = h2*5 + 0x38495ab5
	}

	tail := key[n&^15:]
	var k1, k2 uint64
	// Each tail byte is widened as a Java byte would be: sign-extended to
	// 64 bits before the shift, so its high bits spill over the bytes
	// above it.
	for i := len(tail) - 1; i >= 8; i-- {
		k2 ^= uint64(int64(int8(tail[i]))) << (8 * (i - 8))
	}
	if len(tail) > 8 {
		h2 ^= murmur3MixK2(k2)
	}
	for i := min(len(tail), 8) - 1; i >= 0; i-- {
		k1 ^= uint64(int64(int8(tail[i]))) << (8 * i)
	}
	if len(tail) > 0 {
		h1 ^= murmur3MixK1(k1)
	}

	h1 ^= uint64(n)
	h2 ^= uint64(n)
	h1 += h2
	h2 += h1
	h1 = murmur3Fmix(h1)
	h2 = murmur3Fmix(h2)
	h1 += h2
	return int64(h1)
}

func murmur3MixK1(k uint64) uint64 {
	k *= murmur3C1
	k = bits.RotateLeft64(k, 31)
	return k * murmur3C2
}

func murmur3MixK2(k uint64) uint64 {
	k *= murmur3C2
	k = bits.RotateLeft64(k, 33)
	return k * murmur3C1
}

func murmur3Fmix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}
