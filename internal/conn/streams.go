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

// callTable maps stream ids to their calls. It is two-level so that an idle
// connection holds 1 KiB of it, not 256 KiB: a chunk of 256 slots is
// allocated the first time one of its ids is used, and since alloc hands out
// the lowest free ids, a connection with n requests in flight holds about
// n/256 + 1 chunks.
type callTable struct {
	chunks [maxStreams / callChunk]atomic.Pointer[[callChunk]atomic.Pointer[call]]
}

const callChunk = 256

// slot returns the slot of id, allocating its chunk.
func (t *callTable) slot(id int16) *atomic.Pointer[call] {
	c := &t.chunks[uint16(id)/callChunk]
	ch := c.Load()
	if ch == nil {
		fresh := new([callChunk]atomic.Pointer[call])
		if !c.CompareAndSwap(nil, fresh) {
			fresh = c.Load()
		}
		ch = fresh
	}
	return &ch[uint16(id)%callChunk]
}

// load returns the call of id, or nil.
func (t *callTable) load(id int16) *call {
	ch := t.chunks[uint16(id)/callChunk].Load()
	if ch == nil {
		return nil
	}
	return ch[uint16(id)%callChunk].Load()
}

// each calls f with every call in the table.
func (t *callTable) each(f func(*call)) {
	for i := range t.chunks {
		ch := t.chunks[i].Load()
		if ch == nil {
			continue
		}
		for j := range ch {
			if cl := ch[j].Load(); cl != nil {
				f(cl)
			}
		}
	}
}

// chunksInUse returns how many chunks are allocated.
func (t *callTable) chunksInUse() int {
	n := 0
	for i := range t.chunks {
		if t.chunks[i].Load() != nil {
			n++
		}
	}
	return n
}
