package metadata

import "testing"

func TestQuoteIdent(t *testing.T) {
	tests := []struct{ in, want string }{
		{"users", "users"},
		{"user_2", "user_2"},
		{"Users", `"Users"`},
		{"select", `"select"`},
		{"key", "key"}, // not reserved
		{"2fast", `"2fast"`},
		{"with space", `"with space"`},
		{`say "hi"`, `"say ""hi"""`},
		{"", `""`},
	}
	for _, tc := range tests {
		if got := QuoteIdent(tc.in); got != tc.want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestFormatFloatReadsBackAsDouble(t *testing.T) {
	tests := map[float64]string{1: "1.0", 0.01: "0.01", 0.1: "0.1", 1e-7: "1e-07", 864000: "864000.0"}
	for in, want := range tests {
		if got := formatFloat(in); got != want {
			t.Errorf("formatFloat(%v) = %s, want %s", in, got, want)
		}
	}
}

func TestDollarQuoteFallsBackToQuotes(t *testing.T) {
	if got := dollarQuote("return 1;"); got != "$$return 1;$$" {
		t.Errorf("got %s", got)
	}
	if got := dollarQuote("a $$ b 'c'"); got != "'a $$ b ''c'''" {
		t.Errorf("got %s", got)
	}
}
