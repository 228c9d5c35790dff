package frame

import "testing"

func TestReadyGolden(t *testing.T) {
	rspRunGolden(t, func() Message { return &Ready{} },
		rspForVersions(rspVersions, "empty_body", &Ready{}, rspHex(``)))
}
