package policy

import (
	"bytes"
	"cmp"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
	"strings"
)

// Token is a position on the token ring. A Token is a small value: it holds
// the position in a form whose natural order is the ring order of its
// partitioner (Murmur3 and Random tokens are two machine words; ByteOrdered
// tokens refer to their bytes), so hashing a routing key and comparing the
// result cost no allocation. Tokens of one partitioner are ordered with
// Compare or Less; the zero Token is below every token of every partitioner.
// Tokens cannot be compared with ==: use Compare.
type Token struct {
	kind tokenKind
	// hi, lo: a 128-bit unsigned number whose order is the token order.
	// Murmur3: lo is the int64 with its sign bit flipped, hi is 0.
	// Random: the token value plus one (the range is -1 .. 2**127).
	hi, lo uint64
	b      []byte // ByteOrdered: the token bytes, compared unsigned
}

type tokenKind uint8

const (
	kindNone tokenKind = iota
	kindMurmur3
	kindRandom
	kindBytes
)

// Compare returns -1, 0 or +1 as t is before, equal to or after u on the
// ring. Tokens of different partitioners compare by partitioner, so that
// the order stays total, but such a comparison means nothing.
func (t Token) Compare(u Token) int {
	if c := cmp.Compare(t.kind, u.kind); c != 0 {
		return c
	}
	if c := cmp.Compare(t.hi, u.hi); c != 0 {
		return c
	}
	if c := cmp.Compare(t.lo, u.lo); c != 0 {
		return c
	}
	return bytes.Compare(t.b, u.b)
}

// Less reports whether t is before u on the ring.
func (t Token) Less(u Token) bool { return t.Compare(u) < 0 }

// String formats the token as Cassandra does in system.local.tokens:
// decimal for Murmur3 and Random, hexadecimal for ByteOrdered.
func (t Token) String() string {
	switch t.kind {
	case kindMurmur3:
		return strconv.FormatInt(int64(t.lo^murmur3SignBit), 10)
	case kindRandom:
		v := new(big.Int).SetUint64(t.hi)
		v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(t.lo))
		return v.Sub(v, big.NewInt(1)).String()
	case kindBytes:
		return hex.EncodeToString(t.b)
	}
	return "<no token>"
}

// Partitioner maps partition keys to tokens, as the cluster's partitioner
// (system.local.partitioner) does.
type Partitioner interface {
	// Name is the short class name, e.g. "Murmur3Partitioner".
	Name() string
	// Hash returns the token of a serialized partition key (the routing
	// key). It does not allocate; a ByteOrdered token shares the key's
	// memory.
	Hash(partitionKey []byte) Token
	// ParseToken parses a token as written in system.local.tokens.
	ParseToken(s string) (Token, error)
}

// UnsupportedPartitionerError is returned for a partitioner the driver
// cannot compute tokens for (e.g. OrderPreservingPartitioner), or when no
// host reports a partitioner at all (Name is then empty).
type UnsupportedPartitionerError struct {
	Name string
}

// Error names the partitioner.
func (e *UnsupportedPartitionerError) Error() string {
	if e.Name == "" {
		return "policy: no partitioner name (no host reports one)"
	}
	return "policy: unsupported partitioner " + strconv.Quote(e.Name)
}

// InvalidTokenError is returned for a token string its partitioner cannot
// parse.
type InvalidTokenError struct {
	Partitioner string // short class name
	Token       string
	Err         error // the parse error, if any
}

// Error names the partitioner and the token.
func (e *InvalidTokenError) Error() string {
	s := fmt.Sprintf("policy: invalid %s token %q", e.Partitioner, e.Token)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the parse error.
func (e *InvalidTokenError) Unwrap() error { return e.Err }

// The partitioners are stateless; one value of each is shared.
var (
	murmur3     Partitioner = murmur3Partitioner{}
	random      Partitioner = randomPartitioner{}
	byteOrdered Partitioner = byteOrderedPartitioner{}
)

// PartitionerByName returns the partitioner for a class name as found in
// system.local.partitioner, fully qualified
// ("org.apache.cassandra.dht.Murmur3Partitioner") or short
// ("Murmur3Partitioner"). Murmur3Partitioner, RandomPartitioner and
// ByteOrderedPartitioner are supported; any other name returns an
// *UnsupportedPartitionerError.
func PartitionerByName(javaClassName string) (Partitioner, error) {
	switch strings.TrimPrefix(javaClassName, "org.apache.cassandra.dht.") {
	case "Murmur3Partitioner":
		return murmur3, nil
	case "RandomPartitioner":
		return random, nil
	case "ByteOrderedPartitioner":
		return byteOrdered, nil
	}
	return nil, &UnsupportedPartitionerError{Name: javaClassName}
}

// randomPartitioner is Cassandra's RandomPartitioner: the token is the MD5
// digest of the key read as a signed 128-bit big-endian integer, made
// positive; the empty key has the minimum token, -1.
type randomPartitioner struct{}

func (randomPartitioner) Name() string { return "RandomPartitioner" }

func (randomPartitioner) Hash(key []byte) Token {
	if len(key) == 0 {
		return Token{kind: kindRandom} // -1, stored as 0
	}
	sum := md5.Sum(key)
	hi, lo := binary.BigEndian.Uint64(sum[:8]), binary.BigEndian.Uint64(sum[8:])
	if int64(hi) < 0 { // absolute value of the two's complement number
		hi, lo = ^hi, ^lo+1
		if lo == 0 {
			hi++
		}
	}
	// Store value+1; the largest value, 2**127, still fits.
	lo++
	if lo == 0 {
		hi++
	}
	return Token{kind: kindRandom, hi: hi, lo: lo}
}

var randomMax = new(big.Int).Lsh(big.NewInt(1), 127)

func (randomPartitioner) ParseToken(s string) (Token, error) {
	v, ok := new(big.Int).SetString(s, 10)
	if !ok {
		return Token{}, &InvalidTokenError{Partitioner: "RandomPartitioner", Token: s}
	}
	if v.Cmp(big.NewInt(-1)) < 0 || v.Cmp(randomMax) > 0 {
		return Token{}, &InvalidTokenError{Partitioner: "RandomPartitioner", Token: s, Err: errOutOfRange}
	}
	v.Add(v, big.NewInt(1))
	var buf [16]byte
	v.FillBytes(buf[:])
	return Token{kind: kindRandom, hi: binary.BigEndian.Uint64(buf[:8]), lo: binary.BigEndian.Uint64(buf[8:])}, nil
}

var errOutOfRange = fmt.Errorf("out of range -1 .. 2**127")

// byteOrderedPartitioner is Cassandra's ByteOrderedPartitioner: the token
// is the key itself, ordered as unsigned bytes.
type byteOrderedPartitioner struct{}

func (byteOrderedPartitioner) Name() string { return "ByteOrderedPartitioner" }

func (byteOrderedPartitioner) Hash(key []byte) Token { return Token{kind: kindBytes, b: key} }

func (byteOrderedPartitioner) ParseToken(s string) (Token, error) {
	h := s
	if len(h)%2 == 1 { // Cassandra reads an odd number of digits with a leading 0
		h = "0" + h
	}
	b, err := hex.DecodeString(h)
	if err != nil {
		return Token{}, &InvalidTokenError{Partitioner: "ByteOrderedPartitioner", Token: s, Err: err}
	}
	return Token{kind: kindBytes, b: b}, nil
}
