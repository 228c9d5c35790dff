//go:build !race

package policy

// tokenRaceEnabled: see token_race_test.go.
const tokenRaceEnabled = false
