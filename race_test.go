//go:build race

package cassandra

// raceEnabled: the race detector makes sync.Pool drop items at random, so
// allocation counts of pooled requests are not checked under it.
const raceEnabled = true
