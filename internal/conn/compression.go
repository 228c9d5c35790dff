package conn

import "github.com/cqlgo/cassandra/frame"

// Compression selects the algorithm for frame bodies (v3, v4) or segments
// (v5, LZ4 only).
type Compression int

// Compression algorithms.
const (
	NoCompression Compression = iota
	LZ4
	Snappy
)

// String returns the name sent in STARTUP ("lz4", "snappy") or "none".
func (c Compression) String() string {
	switch c {
	case LZ4:
		return "lz4"
	case Snappy:
		return "snappy"
	}
	return "none"
}

// Compressor returns the frame codec of the algorithm, nil for none.
func (c Compression) Compressor() frame.Compressor {
	switch c {
	case LZ4:
		return frame.LZ4
	case Snappy:
		return frame.Snappy
	}
	return nil
}
