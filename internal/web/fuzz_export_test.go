package web

// The form readers the fuzz tests of package web_test call directly
// (fuzz_forms_test.go). Compiled only into the test binary.
var (
	ScanFromForm   = scanFromForm
	ScanValues     = scanValues
	ScoresFromForm = scoresFromForm
	ScoreValues    = scoreValues
)
