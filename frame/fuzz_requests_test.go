package frame

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

// Fuzz targets for the request decoders, seeded with the golden bodies of
// every version (more seeds live in testdata/fuzz/<target>/). The input is a
// version selector and a body. The property: Decode never panics and fails
// only with a *DecodeError pointing inside the body; whatever it accepts
// encodes again, and decoding that gives an equal message and encodes to
// the same bytes.

func fuzzRequest(f *testing.F, newMsg func() Message, seeds []reqGolden) {
	for _, s := range seeds {
		f.Add(byte(s.v), s.golden)
	}
	f.Fuzz(func(t *testing.T, vsel byte, body []byte) {
		v := V3 + Version(vsel%3)
		m := newMsg()
		if err := m.Decode(body, v); err != nil {
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("Decode error %v (%T) is not a *DecodeError", err, err)
			}
			if de.Offset < 0 || de.Offset > len(body) {
				t.Fatalf("Decode error offset %d outside the %d-byte body: %v", de.Offset, len(body), err)
			}
			return
		}
		enc, err := m.Encode(nil, v)
		if err != nil {
			t.Fatalf("Encode of a decoded %v message: %v\n%#v", v, err, m)
		}
		m2 := newMsg()
		if err := m2.Decode(enc, v); err != nil {
			t.Fatalf("Decode of re-encoded % x: %v", enc, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("round trip changed the message:\n%#v\n%#v", m, m2)
		}
		enc2, err := m2.Encode(nil, v)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("second encoding differs: % x, %v; want % x", enc2, err, enc)
		}
	})
}

func FuzzDecodeStartup(f *testing.F) { fuzzRequest(f, newStartup, startupGoldenCases()) }

func FuzzDecodeAuthResponse(f *testing.F) {
	fuzzRequest(f, newAuthResponse, authResponseGoldenCases())
}

func FuzzDecodeOptions(f *testing.F) { fuzzRequest(f, newOptions, optionsGoldenCases()) }

func FuzzDecodeQuery(f *testing.F) {
	seeds := queryGoldenCases()
	// The bare parameter blocks behind a QUERY prefix reach every flag.
	for _, c := range queryParamsGoldenCases() {
		seeds = append(seeds, reqGolden{c.name, c.v, nil, reqBytes([]byte{0, 0, 0, 1}, "q", c.golden)})
	}
	fuzzRequest(f, newQuery, seeds)
}

func FuzzDecodePrepare(f *testing.F) { fuzzRequest(f, newPrepare, prepareGoldenCases()) }

func FuzzDecodeExecute(f *testing.F) { fuzzRequest(f, newExecute, executeGoldenCases()) }

func FuzzDecodeBatch(f *testing.F) { fuzzRequest(f, newBatch, batchGoldenCases()) }

func FuzzDecodeRegister(f *testing.F) { fuzzRequest(f, newRegister, registerGoldenCases()) }
