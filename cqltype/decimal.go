package cqltype

import (
	"encoding/binary"
	"math/big"

	"gopkg.in/inf.v0"

	"github.com/cqlgo/cassandra/frame"
)

// varint is a big-endian two's complement integer of minimal length;
// decimal is an [int] scale followed by a varint unscaled value, meaning
// unscaled × 10^-scale, which is exactly inf.Dec's representation.

func appendVarint(dst []byte, v any) ([]byte, error) {
	n, b, ok := intArg(v)
	if !ok {
		return dst, errWrongGoType
	}
	if b != nil {
		return appendBigVarint(dst, b), nil
	}
	return appendVarint64(dst, n), nil
}

// appendVarint64 appends n in the fewest bytes that keep its sign.
func appendVarint64(dst []byte, n int64) []byte {
	size := 8
	for size > 1 {
		shift := 64 - 8*(size-1)
		if n<<shift>>shift != n {
			break
		}
		size--
	}
	for i := size - 1; i >= 0; i-- {
		dst = append(dst, byte(n>>(8*i)))
	}
	return dst
}

func appendBigVarint(dst []byte, b *big.Int) []byte {
	if b.IsInt64() {
		return appendVarint64(dst, b.Int64())
	}
	// A positive value gets a 0x00 sign byte when its top bit is set. A
	// negative one is the bitwise inverse of |b| - 1, with a 0xff sign byte
	// when the top bit of that is clear.
	m, sign := b, byte(0)
	if b.Sign() < 0 {
		m = new(big.Int).Neg(b)
		m.Sub(m, big.NewInt(1))
		sign = 0xff
	}
	start := len(dst)
	dst = append(dst, make([]byte, 1+(m.BitLen()+7)/8)...)
	m.FillBytes(dst[start+1:])
	dst[start] = sign
	if sign != 0 {
		for i := start + 1; i < len(dst); i++ {
			dst[i] = ^dst[i]
		}
	}
	if dst[start+1]&0x80 == sign&0x80 {
		copy(dst[start:], dst[start+1:])
		dst = dst[:len(dst)-1]
	}
	return dst
}

// varintToInt64 sign-extends up to 8 bytes.
func varintToInt64(data []byte) int64 {
	var n int64
	if len(data) > 0 && data[0]&0x80 != 0 {
		n = -1
	}
	for _, c := range data {
		n = n<<8 | int64(c)
	}
	return n
}

// decodeBigInt decodes an integer-family value or a varint into a new
// big.Int; null is nil.
func decodeBigInt(t *frame.Type, data []byte) (*big.Int, error) {
	if isNull(t, data) {
		return nil, nil
	}
	if t.ID != frame.TypeVarint {
		n, err := decodeInt64(t, data)
		if err != nil {
			return nil, err
		}
		return big.NewInt(n), nil
	}
	return varintToBig(data), nil
}

func varintToBig(data []byte) *big.Int {
	if len(data) <= 8 {
		return big.NewInt(varintToInt64(data))
	}
	if data[0]&0x80 == 0 {
		return new(big.Int).SetBytes(data)
	}
	inv := make([]byte, len(data))
	for i, c := range data {
		inv[i] = ^c
	}
	b := new(big.Int).SetBytes(inv)
	b.Add(b, big.NewInt(1))
	return b.Neg(b)
}

func appendDecimal(dst []byte, v any) ([]byte, error) {
	var d *inf.Dec
	switch x := v.(type) {
	case *inf.Dec:
		if x == nil {
			return dst, errWrongGoType // nil pointer: null
		}
		d = x
	case inf.Dec:
		d = &x
	default:
		n, b, ok := intArg(v)
		if !ok {
			return dst, errWrongGoType
		}
		dst = binary.BigEndian.AppendUint32(dst, 0)
		if b != nil {
			return appendBigVarint(dst, b), nil
		}
		return appendVarint64(dst, n), nil
	}
	dst = binary.BigEndian.AppendUint32(dst, uint32(int32(d.Scale())))
	return appendBigVarint(dst, d.UnscaledBig()), nil
}

// decodeDecimal decodes a decimal; null is nil.
func decodeDecimal(data []byte) (*inf.Dec, error) {
	if len(data) == 0 {
		return nil, nil
	}
	if len(data) < 5 {
		return nil, wrongLength(5, len(data))
	}
	scale := int32(binary.BigEndian.Uint32(data))
	return inf.NewDecBig(varintToBig(data[4:]), inf.Scale(scale)), nil
}

func init() {
	register(&codec{append: ignoreType(appendVarint), natural: naturalOf[*big.Int](), decode: scalar(decodeBigInt)}, frame.TypeVarint)
	register(&codec{append: ignoreType(appendDecimal), natural: naturalOf[*inf.Dec](),
		decode: scalar(func(_ *frame.Type, data []byte) (*inf.Dec, error) { return decodeDecimal(data) })}, frame.TypeDecimal)
}
