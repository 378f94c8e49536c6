package mapindex

import "math"

// Geometry: Web Mercator with MapLibre's zoom convention (the world is 512·2^z pixels wide at
// zoom z), quantised to 26 bits per axis and interleaved into a 52-bit Morton code.

const (
	qBits   = 26           // bits per axis
	qMax    = 1<<qBits - 1 // largest quantised coordinate
	qScale  = float64(1 << qBits)
	maxLat  = 85.05112878 // Web Mercator's latitude limit
	worldPx = 512         // world width in pixels at zoom 0
	e7      = 1e7         // fixed-point scale of the centroid sums
	maxZoom = 24          // largest zoom a query may ask for
	lonSpan = 360.0
)

// canonLon wraps a longitude into [-180, 180): 180 and -180 are one meridian and are stored
// as -180, so that a point on the antimeridian has one place in the index.
func canonLon(lon float64) float64 {
	if lon >= -180 && lon < 180 {
		return lon
	}
	if math.IsNaN(lon) || math.IsInf(lon, 0) {
		return 0
	}
	lon = math.Mod(lon+180, lonSpan)
	if lon < 0 {
		lon += lonSpan
	}
	lon -= 180
	if lon >= 180 || lon < -180 { // rounding at the edges
		lon = -180
	}
	return lon
}

// canonLat clamps a latitude into [-90, 90]; NaN becomes 0.
func canonLat(lat float64) float64 {
	switch {
	case math.IsNaN(lat):
		return 0
	case lat > 90:
		return 90
	case lat < -90:
		return -90
	}
	return lat
}

// mercX is the normalised Web Mercator x of a longitude, 0 at -180 and 1 at 180.
func mercX(lon float64) float64 { return (lon + 180) / lonSpan }

// mercY is the normalised Web Mercator y of a latitude, 0 at the top (north), 1 at the bottom.
// The latitude is clamped to ±85.05112878, so the poles land on the edges.
func mercY(lat float64) float64 {
	lat = math.Max(-maxLat, math.Min(maxLat, lat))
	phi := lat * math.Pi / 180
	return (1 - math.Log(math.Tan(phi)+1/math.Cos(phi))/math.Pi) / 2
}

// quant maps a normalised coordinate to 0..2^26-1. It is monotone (never decreasing), which
// the exact bounding-box tests rely on.
func quant(v float64) uint32 {
	v = math.Floor(v * qScale)
	if !(v >= 0) { // also NaN
		return 0
	}
	if v > qMax {
		return qMax
	}
	return uint32(v)
}

func qx(lon float64) uint32 { return quant(mercX(lon)) }
func qy(lat float64) uint32 { return quant(mercY(lat)) }

// spread moves bit i of v to bit 2i.
func spread(v uint32) uint64 {
	x := uint64(v)
	x = (x | x<<16) & 0x0000FFFF0000FFFF
	x = (x | x<<8) & 0x00FF00FF00FF00FF
	x = (x | x<<4) & 0x0F0F0F0F0F0F0F0F
	x = (x | x<<2) & 0x3333333333333333
	x = (x | x<<1) & 0x5555555555555555
	return x
}

// compact is the inverse of spread: it gathers the even bits of x.
func compact(x uint64) uint32 {
	x &= 0x5555555555555555
	x = (x | x>>1) & 0x3333333333333333
	x = (x | x>>2) & 0x0F0F0F0F0F0F0F0F
	x = (x | x>>4) & 0x00FF00FF00FF00FF
	x = (x | x>>8) & 0x0000FFFF0000FFFF
	x = (x | x>>16) & 0x00000000FFFFFFFF
	return uint32(x)
}

// morton interleaves x (even bits) and y (odd bits). A cell's child number is therefore
// ybit<<1 | xbit, and visiting children 0..3 visits them in code order.
func morton(x, y uint32) uint64 { return spread(x) | spread(y)<<1 }

// pointCode is the Morton code of a (canonical) position.
func pointCode(lon, lat float64) uint64 { return morton(qx(lon), qy(lat)) }

// toE7 is the fixed-point value summed for centroids. Integer sums are exact, so a centroid
// does not depend on the order in which points were added or merged.
func toE7(v float64) int64 { return int64(math.Round(v * e7)) }

// unmercLat is the latitude of a normalised Web Mercator y.
func unmercLat(y float64) float64 {
	return math.Atan(math.Sinh(math.Pi*(1-2*y))) * 180 / math.Pi
}

// Viewport is the box a map of widthPx×heightPx pixels shows when centred on lon, lat at the
// given zoom (MapLibre convention). Longitudes are not wrapped: near the antimeridian the box
// may reach past ±180, which Clusters and Count accept. A viewport wider than the world
// covers all longitudes; latitudes stop at ±85.05112878.
func Viewport(lon, lat, zoom float64, widthPx, heightPx int) BBox {
	w := worldPx * math.Exp2(zoom)
	cx := mercX(lon) * w
	cy := mercY(lat) * w
	hw, hh := float64(widthPx)/2, float64(heightPx)/2
	y0 := math.Max(0, cy-hh) / w
	y1 := math.Min(w, cy+hh) / w
	return BBox{
		MinLon: (cx-hw)/w*lonSpan - 180,
		MaxLon: (cx+hw)/w*lonSpan - 180,
		MinLat: unmercLat(y1),
		MaxLat: unmercLat(y0),
	}
}
