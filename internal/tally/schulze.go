package tally

// Schulze ranks every option by the Schulze method (winning votes).
//
// The count, in plain words:
//   - For every pair of options x and y, d[x][y] is the number of voters
//     (ballots times their weight) who rank x above y. A ballot may tie
//     options; options a ballot does not list rank below every option it
//     lists and tie among themselves, so they count for neither side.
//   - A path from x to y is a chain x, …, y in which every option beats the
//     next one head to head (d[a][b] > d[b][a]); a path is as strong as its
//     weakest link, a link a→b being as strong as d[a][b]. p[x][y] is the
//     strength of the strongest path from x to y, 0 when there is none.
//   - x beats y when p[x][y] > p[y][x]. This relation never contradicts
//     itself (if x beats y and y beats z, x beats z), so counting how many
//     options each one beats orders them: more first.
//   - Options that beat equally many others are tied; the lot order (the
//     Options order, earlier first) breaks the tie, and a Step with Kind
//     "tie" and Rule "lot" records it.
//
// Withdrawn options are not counted and come last in Ranking, in the lot
// order. Winners are the first Seats options of Ranking (the first one
// when Seats is below 1).
//
// Steps: one "schulze_wins" per option counted, in ranking order, with
// Value the number of options it beats; then one "tie" per group of
// options beating equally many, with Tied in the order the lot put them
// and Option the first of them. All steps are Round 1.
func Schulze(e Election) Result {
	p := rankedPrepare(e)
	_, strong := schulzeMatrices(p)
	res := Result{Method: "schulze", Winners: []int{}, Ranking: make([]int, 0, p.n)}

	wins := make([]int, p.n)
	var counted []int
	for x := 0; x < p.n; x++ {
		if p.withdrawn[x] {
			continue
		}
		counted = append(counted, x)
		for y := 0; y < p.n; y++ {
			if y != x && !p.withdrawn[y] && strong[x][y] > strong[y][x] {
				wins[x]++
			}
		}
	}
	rankedRest(counted, func(a, b int) int { return wins[a] - wins[b] })
	for _, x := range counted {
		res.Steps = append(res.Steps, Step{Round: 1, Kind: "schulze_wins", Option: x, Value: float64(wins[x])})
	}
	for i := 0; i < len(counted); {
		j := i + 1
		for j < len(counted) && wins[counted[j]] == wins[counted[i]] {
			j++
		}
		if j-i > 1 {
			tied := append([]int(nil), counted[i:j]...)
			res.Steps = append(res.Steps, Step{Round: 1, Kind: "tie", Option: tied[0], Tied: tied, Rule: "lot"})
		}
		i = j
	}
	res.Ranking = append(res.Ranking, counted...)
	for x := 0; x < p.n; x++ {
		if p.withdrawn[x] {
			res.Ranking = append(res.Ranking, x)
		}
	}
	if len(counted) > 0 {
		res.Winners = append(res.Winners, counted[:min(p.seats, len(counted))]...)
	}
	return res
}

// SchulzeMatrix returns the two tables behind Schulze's ranking, for the
// results page: pairwise[x][y] is the weight of the ballots ranking x above
// y, strongest[x][y] the strength of the strongest path from x to y (see
// Schulze). Both are len(Options) square; the diagonal, and the rows and
// columns of withdrawn options, are 0.
func SchulzeMatrix(e Election) (pairwise, strongest [][]int) {
	d, s := schulzeMatrices(rankedPrepare(e))
	return schulzeInts(d), schulzeInts(s)
}

func schulzeInts(m [][]int64) [][]int {
	out := make([][]int, len(m))
	for i, row := range m {
		out[i] = make([]int, len(row))
		for j, v := range row {
			out[i][j] = int(v)
		}
	}
	return out
}

// schulzeMatrices computes the pairwise preferences and, by the
// widest-path form of Floyd–Warshall, the strongest paths.
func schulzeMatrices(p rankedPrep) (d, strong [][]int64) {
	n := p.n
	d = schulzeSquare(n)
	pos := make([]int, n)
	for _, paper := range p.papers {
		unlisted := len(paper.groups)
		for o := range pos {
			pos[o] = unlisted
		}
		for gi, g := range paper.groups {
			for _, o := range g {
				pos[o] = gi
			}
		}
		for _, g := range paper.groups {
			for _, x := range g {
				row, px := d[x], pos[x]
				for y, py := range pos {
					if py > px && !p.withdrawn[y] {
						row[y] += paper.w
					}
				}
			}
		}
	}
	strong = schulzeSquare(n)
	for x := 0; x < n; x++ {
		for y := 0; y < n; y++ {
			if x != y && d[x][y] > d[y][x] {
				strong[x][y] = d[x][y]
			}
		}
	}
	for k := 0; k < n; k++ {
		rowK := strong[k]
		for x := 0; x < n; x++ {
			if x == k {
				continue
			}
			rowX := strong[x]
			xk := rowX[k]
			if xk == 0 {
				continue
			}
			for y := 0; y < n; y++ {
				if y == x || y == k {
					continue
				}
				if w := min(xk, rowK[y]); w > rowX[y] {
					rowX[y] = w
				}
			}
		}
	}
	return d, strong
}

func schulzeSquare(n int) [][]int64 {
	buf := make([]int64, n*n)
	m := make([][]int64, n)
	for i := range m {
		m[i] = buf[i*n : (i+1)*n : (i+1)*n]
	}
	return m
}
