// Copies the front-end libraries samen uses from node_modules (installed
// from package-lock.json with `npm ci`) into internal/web/static/vendor,
// a GeoJSON file of the world made from one (world()), and the SPDX
// licence list into internal/toolbox, where the Go build
// embeds them. The copies are committed, so building
// samen needs Go only; `node vendor.mjs --check` (run by CI) proves that
// they are exactly the pinned packages' files.
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as topojson from 'topojson-client';

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'internal', 'web', 'static', 'vendor');
const toolbox = join(here, '..', 'internal', 'toolbox');

// [package file, vendored name, directory]
const files = [
  ['maplibre-gl/dist/maplibre-gl.mjs', 'maplibre-gl.mjs', out],
  ['maplibre-gl/dist/maplibre-gl-worker.mjs', 'maplibre-gl-worker.mjs', out],
  ['maplibre-gl/dist/maplibre-gl.css', 'maplibre-gl.css', out],
  ['maplibre-gl/LICENSE.txt', 'maplibre-gl.LICENSE.txt', out],
  // The identifiers a catalogue entry's licence may use (CC0-1.0).
  ['spdx-license-ids/index.json', 'spdx-license-ids.json', toolbox],
  ['spdx-license-ids/deprecated.json', 'spdx-license-ids-deprecated.json', toolbox],
  // The exceptions that may follow WITH (CC-BY-3.0).
  ['spdx-exceptions/index.json', 'spdx-exceptions.json', toolbox],
  ['world-atlas/LICENSE', 'world-atlas.LICENSE.txt', out],
];

// Source maps are not shipped; the comment pointing at them goes too, so
// browsers do not ask for files that are not there.
const strip = (name, text) => name.endsWith('.mjs') ? text.replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n') : text;

// The map's own geography, for installations without a basemap of their
// own: Natural Earth's land and country borders at 1:110 million (public
// domain), as world-atlas redistributes them in TopoJSON (ISC), turned
// into one GeoJSON file (RFC 7946) that MapLibre reads as it is, with the
// lakes below, at the precision of the data (positions to 0.05°, lakes to
// 0.1°): about 50 kB on the wire, with the map's other 430 (brotli).
function world() {
  const land = JSON.parse(readFileSync(join(here, 'node_modules', 'world-atlas', 'land-110m.json'), 'utf8'));
  const countries = JSON.parse(readFileSync(join(here, 'node_modules', 'world-atlas', 'countries-110m.json'), 'utf8'));
  // 0.05° (3 to 5 km): within the error of a 1:110 million map.
  const round = (c) => (Array.isArray(c[0]) ? c.map(round).filter((p, i, r) => !Array.isArray(p) && i > 0 ? p[0] !== r[i - 1][0] || p[1] !== r[i - 1][1] : true)
    : [Math.round(c[0] * 20) / 20, Math.round(c[1] * 20) / 20]);
  const geometry = (g) => ({ type: g.type, coordinates: round(g.coordinates) });
  const borders = topojson.mesh(countries, countries.objects.countries, (a, b) => a !== b);
  // Lakes, from OpenStreetMap at a 10 km resolution (ODbL), as geo-maps
  // publishes them: Natural Earth's land has none, and a city by a lake
  // (Amsterdam by the IJmeer) would show no water at all.
  const polygons = (g) => (g.type === 'GeometryCollection' ? g.geometries.flatMap(polygons)
    : g.type === 'MultiPolygon' ? g.coordinates : g.type === 'Polygon' ? [g.coordinates] : []);
  // Their outlines are kept at 0.1° (about 7 to 11 km, the data's own
  // resolution) and simplified within that (Douglas–Peucker); lakes under
  // 0.02 square degrees (150 to 250 km²) are left out. They were two
  // thirds of the file.
  const coarse = (ring) => ring.map((c) => [Math.round(c[0] * 10) / 10, Math.round(c[1] * 10) / 10])
    .filter((c, i, r) => i === 0 || c[0] !== r[i - 1][0] || c[1] !== r[i - 1][1]);
  const lakes = polygons(JSON.parse(readFileSync(join(here, 'node_modules', '@geo-maps', 'earth-lakes-10km', 'map.geo.json'), 'utf8')))
    .map((rings) => rings.map((r) => simplify(coarse(r), 0.05)).filter((r) => r.length >= 4))
    .filter((rings) => rings.length > 0 && area(rings[0]) >= 0.02);
  return JSON.stringify({
    type: 'FeatureCollection',
    features: [
      ...topojson.feature(land, land.objects.land).features.map((f) => ({ type: 'Feature', properties: { kind: 'land' }, geometry: geometry(f.geometry) })),
      { type: 'Feature', properties: { kind: 'water' }, geometry: geometry({ type: 'MultiPolygon', coordinates: lakes }) },
      { type: 'Feature', properties: { kind: 'border' }, geometry: geometry(borders) },
    ],
  }) + '\n';
}

// area is a ring's area in square degrees (the shoelace formula).
function area(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) a += (ring[j][0] - ring[i][0]) * (ring[j][1] + ring[i][1]);
  return Math.abs(a / 2);
}

// simplify is Douglas–Peucker on a closed ring: the points that stray
// more than tolerance (in degrees) from the line between those kept.
function simplify(ring, tolerance) {
  const keep = new Uint8Array(ring.length);
  keep[0] = keep[ring.length - 1] = 1;
  const stack = [[0, ring.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = ring[a], [bx, by] = ring[b];
    const len = Math.hypot(bx - ax, by - ay);
    let far = -1, most = tolerance;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = ring[i];
      const d = len === 0 ? Math.hypot(px - ax, py - ay) : Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / len;
      if (d > most) {
        far = i;
        most = d;
      }
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  return ring.filter((_, i) => keep[i]);
}

const check = process.argv.includes('--check');
let stale = 0;
mkdirSync(out, { recursive: true });
const generated = [[world, 'world-110m.geojson', out]];
for (const [from, to, dir] of [...files, ...generated]) {
  const make = typeof from === 'function' ? from : null;
  const label = make ? `${make.name}() of the pinned packages` : from;
  const src = make ? null : join(here, 'node_modules', from);
  if (src && !existsSync(src)) {
    console.error(`${src} is missing: run npm ci first`);
    process.exit(2);
  }
  const want = make ? make() : strip(to, readFileSync(src, 'utf8'));
  const dst = join(dir, to);
  if (check) {
    if (!existsSync(dst) || readFileSync(dst, 'utf8') !== want) {
      console.error(`${dst} differs from ${label}: run npm run vendor`);
      stale++;
    }
  } else {
    writeFileSync(dst, want);
    console.log(`${label} -> ${dst}`);
  }
}
const spdx = JSON.parse(readFileSync(join(here, 'node_modules', 'spdx-license-ids', 'package.json'), 'utf8')).version;
const version = JSON.parse(readFileSync(join(here, 'node_modules', 'maplibre-gl', 'package.json'), 'utf8')).version;
if (check) {
  if (stale) process.exit(1);
  console.log(`vendored files match the pinned packages (maplibre-gl ${version}, spdx-license-ids ${spdx})`);
}
