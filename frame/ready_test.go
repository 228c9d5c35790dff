package frame

import "testing"

func TestReadyGolden(t *testing.T) {
	runGolden(t, func() Message { return &Ready{} },
		forVersions(allVersions, "empty_body", &Ready{}, golden(``)))
}
