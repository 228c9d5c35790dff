//go:build race

package policy

// tokenRaceEnabled: the race detector makes sync.Pool drop items at
// random, so allocation counts of pooled plans are not checked under it.
const tokenRaceEnabled = true
