// Paging through lists: the cursor and limit parameters of the API.

package web

import (
	"strconv"

	"samen/internal/problem"
)

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
