package cassandratest

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// testify's assert package imports go.yaml.in/yaml/v3, which the root
// go.sum does not list yet, so these tests carry the few checks they need
// with testify's names: require stops the test, assert goes on.
var (
	require = checker{fatal: true}
	assert  = checker{}
)

type checker struct{ fatal bool }

func (c checker) fail(t testing.TB, msg []any, format string, args ...any) bool {
	t.Helper()
	s := fmt.Sprintf(format, args...)
	if len(msg) > 0 {
		if f, ok := msg[0].(string); ok {
			s += ": " + fmt.Sprintf(f, msg[1:]...)
		}
	}
	if c.fatal {
		t.Fatal(s)
	}
	t.Error(s)
	return false
}

func (c checker) True(t testing.TB, ok bool, msg ...any) bool {
	t.Helper()
	if !ok {
		return c.fail(t, msg, "want true")
	}
	return true
}

func (c checker) False(t testing.TB, ok bool, msg ...any) bool {
	t.Helper()
	if ok {
		return c.fail(t, msg, "want false")
	}
	return true
}

func (c checker) NoError(t testing.TB, err error, msg ...any) bool {
	t.Helper()
	if err != nil {
		return c.fail(t, msg, "unexpected error: %v", err)
	}
	return true
}

func (c checker) Error(t testing.TB, err error, msg ...any) bool {
	t.Helper()
	if err == nil {
		return c.fail(t, msg, "want an error")
	}
	return true
}

func (c checker) ErrorIs(t testing.TB, err, target error, msg ...any) bool {
	t.Helper()
	if !errors.Is(err, target) {
		return c.fail(t, msg, "error %v is not %v", err, target)
	}
	return true
}

func (c checker) Equal(t testing.TB, want, got any, msg ...any) bool {
	t.Helper()
	if !reflect.DeepEqual(want, got) {
		return c.fail(t, msg, "not equal:\nwant %#v\n got %#v", want, got)
	}
	return true
}

func (c checker) IsType(t testing.TB, want, got any, msg ...any) bool {
	t.Helper()
	if reflect.TypeOf(want) != reflect.TypeOf(got) {
		return c.fail(t, msg, "want type %T, got %T (%v)", want, got, got)
	}
	return true
}

func (c checker) Nil(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	if v != nil && !(reflect.ValueOf(v).Kind() == reflect.Slice && reflect.ValueOf(v).IsNil()) {
		return c.fail(t, msg, "want nil, got %#v", v)
	}
	return true
}

func (c checker) Len(t testing.TB, v any, n int, msg ...any) bool {
	t.Helper()
	if l := reflect.ValueOf(v).Len(); l != n {
		return c.fail(t, msg, "want length %d, got %d: %#v", n, l, v)
	}
	return true
}

func (c checker) Empty(t testing.TB, v any, msg ...any) bool {
	t.Helper()
	return c.Len(t, v, 0, msg...)
}

func (c checker) Contains(t testing.TB, s, sub string, msg ...any) bool {
	t.Helper()
	if !strings.Contains(s, sub) {
		return c.fail(t, msg, "%q does not contain %q", s, sub)
	}
	return true
}

func (c checker) GreaterOrEqual(t testing.TB, a, b time.Duration, msg ...any) bool {
	t.Helper()
	if a < b {
		return c.fail(t, msg, "%v < %v", a, b)
	}
	return true
}

func (c checker) Less(t testing.TB, a, b time.Duration, msg ...any) bool {
	t.Helper()
	if a >= b {
		return c.fail(t, msg, "%v >= %v", a, b)
	}
	return true
}

func (c checker) Eventually(t testing.TB, cond func() bool, wait, tick time.Duration, msg ...any) bool {
	t.Helper()
	deadline := time.Now().Add(wait)
	for !cond() {
		if time.Now().After(deadline) {
			return c.fail(t, msg, "condition not met within %v", wait)
		}
		time.Sleep(tick)
	}
	return true
}
