// Paging through lists: the cursor and limit parameters of the API.

package web

import (
	"strconv"

	"samen/internal/problem"
)

// maxPageSize is the most items one page of any list of the API holds, as
// the OpenAPI document's limit parameter says (and atlas.MaxLimit for the
// initiatives). Every list refuses a larger limit alike, rather than one
// clamping it, one ignoring it and one refusing it.
const maxPageSize = 500

// queryInt reads an optional non-negative whole number from the query.
func queryInt(v, field string) (int64, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, problem.Fields{field: "query.not_a_number"}.Err()
	}
	return n, nil
}

// queryLimit reads the page size of a list: 0 when absent (the list's
// own default), else a whole number up to maxPageSize. Anything else —
// negative, too large, not a number — is the same problem, naming limit
// and saying the range.
func queryLimit(v string) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > maxPageSize {
		return 0, problem.Fields{"limit": "limit.out_of_range"}.Err()
	}
	return n, nil
}
