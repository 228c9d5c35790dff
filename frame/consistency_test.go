package frame

import "testing"

func TestParseConsistency(t *testing.T) {
	for c := Any; c <= LocalOne; c++ {
		for _, s := range []string{c.String(), " " + c.String() + " ", toLowerNoUnderscore(c.String())} {
			got, err := ParseConsistency(s)
			if err != nil || got != c {
				t.Errorf("ParseConsistency(%q) = %v, %v; want %v", s, got, err, c)
			}
		}
	}
	if got, err := ParseConsistency("LocalQuorum"); err != nil || got != LocalQuorum {
		t.Errorf("LocalQuorum: %v %v", got, err)
	}
	for _, bad := range []string{"", "QUORUMS", "LOCAL", "_"} {
		if _, err := ParseConsistency(bad); err == nil {
			t.Errorf("ParseConsistency(%q) accepted", bad)
		}
	}
}

func toLowerNoUnderscore(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '_' {
			continue
		}
		b := s[i]
		if b >= 'A' && b <= 'Z' {
			b += 'a' - 'A'
		}
		out = append(out, b)
	}
	return string(out)
}
