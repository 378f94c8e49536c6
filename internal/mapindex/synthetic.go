package mapindex

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// Europe's box for RandomEurope.
const (
	euMinLon, euMaxLon = -10.0, 30.0
	euMinLat, euMaxLat = 35.0, 65.0
)

// city is a centre of initiatives: its weight is its share of the city points, its spread
// the standard deviation of their distance from the centre, in degrees.
type city struct {
	lon, lat, weight float64
}

var europeCities = []city{
	{2.35, 48.86, 11}, {13.40, 52.52, 6}, {-3.70, 40.42, 6.5}, {12.50, 41.90, 4.3},
	{-0.13, 51.51, 14}, {16.37, 48.21, 2.9}, {19.04, 47.50, 3}, {21.01, 52.23, 3.1},
	{14.42, 50.08, 2.7}, {4.90, 52.37, 2.5}, {4.48, 51.92, 1.8}, {5.12, 52.09, 1},
	{4.30, 52.08, 1.1}, {4.35, 50.85, 2.1}, {4.40, 51.22, 1.2}, {6.96, 50.94, 3.5},
	{8.68, 50.11, 2.3}, {11.58, 48.14, 2.9}, {9.99, 53.55, 3.2}, {9.18, 45.46, 4.3},
	{7.69, 45.07, 1.7}, {14.27, 40.85, 3.1}, {2.17, 41.39, 5.6}, {-0.38, 39.47, 1.6},
	{-9.14, 38.72, 2.9}, {-8.61, 41.15, 1.7}, {5.37, 43.30, 1.9}, {4.84, 45.76, 2.3},
	{1.44, 43.60, 1.4}, {-1.55, 47.22, 1}, {7.75, 48.57, 0.8}, {8.54, 47.37, 1.4},
	{6.14, 46.20, 0.9}, {12.57, 55.68, 2.1}, {18.07, 59.33, 2.4}, {10.75, 59.91, 1.6},
	{24.94, 60.17, 1.5}, {-6.26, 53.35, 1.9}, {-2.24, 53.48, 2.8}, {-1.90, 52.49, 2.9},
	{-4.25, 55.86, 1.8}, {23.73, 37.98, 3.2}, {26.10, 44.43, 2.3}, {23.32, 42.70, 1.3},
	{20.46, 44.79, 1.7}, {15.98, 45.81, 0.8}, {14.51, 46.06, 0.3}, {17.11, 48.15, 0.7},
	{19.94, 50.06, 0.8}, {25.28, 54.69, 0.6}, {24.11, 56.95, 0.6}, {24.75, 59.44, 0.4},
}

// RandomEurope returns n synthetic initiatives with IDs 1..n spread over Europe (longitude
// -10..30, latitude 35..65) the way real ones are: most in and around cities, many in small
// towns, some scattered over the countryside. Facets are random. The same rng state gives
// the same points; benchmarks and `samen bench atlas` use it.
func RandomEurope(rng *rand.Rand, n int) []Point {
	towns := make([]city, 2000)
	for i := range towns {
		towns[i] = city{
			lon:    euMinLon + rng.Float64()*(euMaxLon-euMinLon),
			lat:    euMinLat + rng.Float64()*(euMaxLat-euMinLat),
			weight: 0.01 + 0.1*rng.ExpFloat64(),
		}
	}
	cityCum := cumulative(europeCities)
	townCum := cumulative(towns)
	pts := make([]Point, n)
	for i := range pts {
		var lon, lat float64
		switch r := rng.Float64(); {
		case r < 0.55: // a big city: a dense core and suburbs
			c := europeCities[pick(rng, cityCum)]
			sd := 0.03 + 0.02*math.Sqrt(c.weight)
			if rng.Float64() < 0.3 {
				sd *= 4
			}
			lon, lat = scatter(rng, c.lon, c.lat, sd)
		case r < 0.85: // a town
			c := towns[pick(rng, townCum)]
			lon, lat = scatter(rng, c.lon, c.lat, 0.01+0.05*c.weight)
		default: // countryside
			lon = euMinLon + rng.Float64()*(euMaxLon-euMinLon)
			lat = euMinLat + rng.Float64()*(euMaxLat-euMinLat)
		}
		id := int64(i + 1)
		pts[i] = Point{
			ID: id, Lon: lon, Lat: lat,
			Name:   "Initiative " + strconv.FormatInt(id, 10),
			Facets: randomFacets(rng),
		}
	}
	return pts
}

func cumulative(cs []city) []float64 {
	cum := make([]float64, len(cs))
	sum := 0.0
	for i, c := range cs {
		sum += c.weight
		cum[i] = sum
	}
	return cum
}

func pick(rng *rand.Rand, cum []float64) int {
	x := rng.Float64() * cum[len(cum)-1]
	lo, hi := 0, len(cum)-1
	for lo < hi {
		m := (lo + hi) / 2
		if cum[m] < x {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// scatter draws a position around a centre, the longitude spread widened by the latitude so
// that the cloud is round on the ground, and kept within the box.
func scatter(rng *rand.Rand, lon, lat, sd float64) (float64, float64) {
	lat += rng.NormFloat64() * sd
	lon += rng.NormFloat64() * sd / math.Cos(lat*math.Pi/180)
	return math.Max(euMinLon, math.Min(euMaxLon, lon)), math.Max(euMinLat, math.Min(euMaxLat, lat))
}

func randomFacets(rng *rand.Rand) Facets {
	var f Facets
	for range 1 + rng.IntN(3) {
		f.Sectors |= 1 << rng.IntN(40)
	}
	for range rng.IntN(3) {
		f.Needs |= 1 << rng.IntN(12)
	}
	for range rng.IntN(3) {
		f.Offers |= 1 << rng.IntN(12)
	}
	f.Principles = uint8(rng.IntN(16))
	f.LegalForm = uint8(rng.IntN(9))
	f.District = uint8(rng.IntN(21))
	return f
}
