package conn

import (
	"math/bits"
	"sync/atomic"
)

// maxStreams is the number of stream ids of protocol v3 and later.
const maxStreams = MaxStreams

// MaxStreams is the number of stream ids of protocol v3 and later: the most
// requests one connection carries at once.
const MaxStreams = 32768

// streamSet hands out stream ids without a global lock: a bitmap of words
// claimed by compare-and-swap, searched from a moving hint so that
// concurrent callers mostly touch different words.
type streamSet struct {
	words [maxStreams / 64]atomic.Uint64
	hint  atomic.Uint32
	inUse atomic.Int32
	limit int32
}

func newStreamSet(limit int) *streamSet {
	if limit <= 0 || limit > maxStreams {
		limit = maxStreams
	}
	s := &streamSet{limit: int32(limit)}
	// Ids at or above the limit are marked taken once, so alloc never
	// returns them.
	for id := limit; id < maxStreams; id++ {
		s.words[id/64].Or(1 << (id % 64))
	}
	return s
}

// alloc returns a free id, or false when all are in use.
func (s *streamSet) alloc() (int16, bool) {
	if s.inUse.Add(1) > s.limit {
		s.inUse.Add(-1)
		return 0, false
	}
	n := uint32(len(s.words))
	start := s.hint.Load()
	for i := uint32(0); i < n; i++ {
		w := (start + i) % n
		for {
			v := s.words[w].Load()
			if v == ^uint64(0) {
				break
			}
			bit := bits.TrailingZeros64(^v)
			if s.words[w].CompareAndSwap(v, v|1<<bit) {
				if i != 0 {
					s.hint.Store(w)
				}
				return int16(w*64 + uint32(bit)), true
			}
		}
	}
	// inUse said there was room but a racing free had not landed yet.
	s.inUse.Add(-1)
	return 0, false
}

// free returns id to the set.
func (s *streamSet) free(id int16) {
	s.words[uint16(id)/64].And(^(uint64(1) << (uint16(id) % 64)))
	s.inUse.Add(-1)
}

// used returns the number of ids handed out.
func (s *streamSet) used() int { return int(s.inUse.Load()) }
