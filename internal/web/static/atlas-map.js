// The atlas map: MapLibre GL JS draws the basemap (or a plain background)
// and samen's own clusters, fetched from /api/v1/clusters for the view. Every
// cluster is a button and every initiative a link, so the map can be used by
// keyboard; the list next to it says the same for screen readers and works
// without this script, which only adds.
//
// MapLibre (1.1 MB of script and a 0.5 MB worker, a third of that
// compressed) is fetched only once the page has loaded, so that on a slow
// connection the list can be read and used before the map arrives. Its
// URLs, fingerprinted, come from the page (data-maplibre, -worker, -css).

const panel = document.querySelector('[data-map]');
if (panel) {
  // The map's place is kept from the start, so that the list does not
  // move when the map arrives.
  panel.hidden = false;
  if (document.readyState === 'complete') {
    whenShown(panel);
  } else {
    window.addEventListener('load', () => whenShown(panel), { once: true });
  }
}

// whenShown loads the map once it has a size: at once on a wide screen,
// and on a narrow one (where the map is folded, samen.css) only when the
// visitor opens it, so that a phone does not fetch MapLibre for a map
// nobody asked to see.
function whenShown(panel) {
  const el = panel.querySelector('.map');
  // Inside a closed details element the map still has a size for the
  // asking; checkVisibility tells that it is not drawn.
  const shown = () => (el.checkVisibility ? el.checkVisibility() : el.offsetWidth > 0);
  let loaded = false;
  const tryLoad = () => {
    if (!loaded && shown()) {
      loaded = true;
      load(panel);
    }
  };
  panel.querySelector('details')?.addEventListener('toggle', tryLoad);
  window.matchMedia('(min-width: 50.01rem)').addEventListener('change', tryLoad);
  tryLoad();
}

async function load(panel) {
  let maplibregl, world;
  try {
    // The world's geography comes with MapLibre, fetched here rather
    // than by MapLibre's worker so that the page accounts for it (and a
    // failure leaves a map without geography, not without a map).
    [maplibregl, world] = await Promise.all([import(panel.dataset.maplibre), fetchWorld(panel.dataset.world),
      stylesheet(panel.dataset.maplibreCss)]);
  } catch (err) {
    panel.querySelector('.map-status').textContent = panel.dataset.labelError || '';
    return;
  }
  maplibregl.setWorkerUrl(panel.dataset.maplibreWorker);
  start(panel, maplibregl, world);
}

// fetchWorld reads samen's own land, lakes and borders; null when there is
// none or it cannot be had.
async function fetchWorld(url) {
  if (!url) return null;
  try {
    const r = await fetch(url);
    return r.ok ? await r.json() : null;
  } catch {
    return null;
  }
}

// stylesheet adds MapLibre's style sheet (its controls and markers) and
// resolves when it has loaded.
function stylesheet(href) {
  return new Promise((resolve, reject) => {
    const link = document.createElement('link');
    link.rel = 'stylesheet';
    link.href = href;
    link.addEventListener('load', resolve, { once: true });
    link.addEventListener('error', reject, { once: true });
    document.head.append(link);
  });
}

function start(panel, maplibregl, world) {
  const el = panel.querySelector('.map');
  const status = panel.querySelector('.map-status');
  const label = (name, count) => (panel.dataset['label' + name] || '').replace('{count}', count);
  const search = new URLSearchParams(panel.dataset.search || '');
  const embedded = panel.hasAttribute('data-embedded');

  const style = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#cfe2ec' } }],
  };
  // Land, lakes and borders of our own (Natural Earth at 1:110 million and
  // OpenStreetMap's larger lakes, vendored with MapLibre), so that a map
  // without a basemap still shows where things are; a basemap, drawn
  // above, covers it where it has data.
  if (world) {
    style.sources.world = { type: 'geojson', data: world };
    style.layers.push(
      { id: 'land', type: 'fill', source: 'world', filter: ['==', ['get', 'kind'], 'land'], paint: { 'fill-color': '#f3f0e8' } },
      { id: 'lakes', type: 'fill', source: 'world', filter: ['==', ['get', 'kind'], 'water'], paint: { 'fill-color': '#cfe2ec' } },
      {
        id: 'borders', type: 'line', source: 'world', filter: ['==', ['get', 'kind'], 'border'],
        paint: { 'line-color': '#b8ad9a', 'line-width': ['interpolate', ['linear'], ['zoom'], 2, 0.5, 8, 1.5] },
      },
    );
  }
  if (panel.dataset.tiles) {
    style.sources.basemap = {
      type: 'raster', tiles: [panel.dataset.tiles], tileSize: 256,
      attribution: panel.dataset.attribution || '',
    };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  } else if (panel.dataset.basemap === 'local') {
    addLocalBasemap(style, panel.dataset);
  }
  // District outlines, when the operator gave them, on any basemap or none.
  if (panel.dataset.districts) {
    style.sources.districts = { type: 'geojson', data: location.origin + panel.dataset.districts };
    style.layers.push({
      id: 'districts', type: 'line', source: 'districts',
      paint: {
        'line-color': '#4a5560',
        'line-width': ['interpolate', ['linear'], ['zoom'], 9, 1, 15, 2.5],
        'line-dasharray': [3, 2],
      },
    });
  }

  // Start where the search is: its area, its place, or Amsterdam.
  let bounds = null;
  const bbox = (search.get('bbox') || '').split(',').map(Number);
  if (bbox.length === 4 && bbox.every(Number.isFinite)) {
    bounds = [[bbox[0], bbox[1]], [bbox[2], bbox[3]]];
  }
  const near = (search.get('near') || '').split(',').map(Number);
  // Amsterdam with Weesp, unless the search says where.
  const center = near.length === 2 && near.every(Number.isFinite) ? [near[1], near[0]] : [4.93, 52.35];

  let map;
  try {
    map = new maplibregl.Map({
      container: el, style, center, zoom: near.length === 2 ? 13 : 10.2, bounds: bounds || undefined,
      attributionControl: panel.dataset.tiles || panel.dataset.basemap ? { compact: true } : false,
      cooperativeGestures: embedded,
      // The map's own controls speak the page's language.
      locale: {
        'Map.Title': panel.querySelector('h2').textContent,
        'NavigationControl.ZoomIn': label('ZoomIn'),
        'NavigationControl.ZoomOut': label('ZoomOut'),
      },
    });
  } catch (err) {
    status.textContent = label('Error');
    return;
  }
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');

  const markers = [];
  let pending = null;
  // Where a group was that was opened: its button is replaced when the map
  // has zoomed in, and focus goes to what it held instead of to the page.
  let refocus = null;

  async function refresh() {
    const opened = refocus;
    const b = map.getBounds();
    const params = new URLSearchParams(search);
    params.delete('bbox');
    params.set('bbox', [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((n) => n.toFixed(5)).join(','));
    params.set('zoom', map.getZoom().toFixed(2));
    if (pending) pending.abort();
    pending = new AbortController();
    let data;
    try {
      const res = await fetch('/api/v1/clusters?' + params, { signal: pending.signal, headers: { Accept: 'application/geo+json' } });
      if (!res.ok) throw new Error(res.status);
      data = await res.json();
    } catch (err) {
      if (err.name !== 'AbortError') status.textContent = label('Error');
      return;
    }
    for (const m of markers.splice(0)) m.remove();
    let total = 0;
    for (const f of data.features) {
      const p = f.properties;
      const [lon, lat] = f.geometry.coordinates;
      let node;
      if (p.cluster) {
        total += p.point_count;
        node = document.createElement('button');
        node.type = 'button';
        node.className = 'map-cluster' + (p.point_count >= 100 ? ' big' : '');
        node.textContent = p.point_count;
        node.setAttribute('aria-label', label('Cluster', p.point_count));
        node.addEventListener('click', (ev) => {
          ev.stopPropagation();
          refocus = [lon, lat];
          map.easeTo({ center: [lon, lat], zoom: Math.max(p.expansion_zoom, map.getZoom() + 1) });
        });
      } else {
        total += 1;
        node = document.createElement('a');
        node.className = 'map-point';
        node.href = p.url;
        if (embedded) {
          node.target = '_blank';
          node.rel = 'noopener';
        }
        node.title = p.name;
        const text = document.createElement('span');
        text.className = 'visually-hidden';
        text.textContent = p.name;
        node.append(text);
      }
      markers.push(new maplibregl.Marker({ element: node }).setLngLat([lon, lat]).addTo(map));
    }
    // A search broader than the map is given shows its first matches.
    status.textContent = label('InView', total) + (data.capped ? ' ' + label('Capped') : '');
    if (opened && opened === refocus) {
      const [flon, flat] = opened;
      refocus = null;
      const lost = !document.activeElement || document.activeElement === document.body;
      let nearest = null;
      let best = Infinity;
      for (const m of markers) {
        const at = m.getLngLat();
        const d = (at.lng - flon) ** 2 + (at.lat - flat) ** 2;
        if (d < best) {
          best = d;
          nearest = m;
        }
      }
      if (lost && nearest) nearest.getElement().focus({ preventScroll: true });
    }
    const area = panel.querySelector('.map-area');
    if (area) {
      params.delete('zoom');
      area.href = (embedded ? '/embed/atlas?' : '/atlas?') + params;
    }
  }

  // The first view is drawn once the map has loaded; after that, every move.
  map.on('load', () => {
    refresh();
    map.on('moveend', refresh);
  });

  // A link under the map shows the list for what is in view.
  const area = document.createElement('a');
  area.className = 'map-area';
  area.textContent = panel.dataset.labelArea || '';
  if (area.textContent) panel.append(area);

  // "Near me" asks the browser where the reader is, only when they ask.
  if (!embedded && navigator.geolocation && panel.dataset.labelNear) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.className = 'secondary near-me';
    btn.textContent = panel.dataset.labelNear;
    btn.addEventListener('click', () => {
      navigator.geolocation.getCurrentPosition((pos) => {
        const params = new URLSearchParams(search);
        params.delete('bbox');
        params.set('near', pos.coords.latitude.toFixed(5) + ',' + pos.coords.longitude.toFixed(5));
        params.set('order', 'distance');
        window.location.href = '/atlas?' + params;
      }, () => { status.textContent = label('Error'); });
    });
    panel.append(btn);
  }
}

// The basemap samen serves itself from a PMTiles file at /tiles/{z}/{x}/{y}:
// images are drawn as they are; vector tiles in the Protomaps basemap schema
// get a small style of our own, without labels, so that no fonts or sprites
// are needed.
function addLocalBasemap(style, data) {
  const num = (v, fallback) => (v !== undefined && v !== '' && Number.isFinite(Number(v)) ? Number(v) : fallback);
  const source = {
    // Absolute, since MapLibre fetches tiles from a worker; the braces must
    // stay as they are, which new URL() would not leave them.
    tiles: [location.origin + '/tiles/{z}/{x}/{y}'],
    minzoom: num(data.basemapMinzoom, 0),
    maxzoom: num(data.basemapMaxzoom, 14),
    attribution: data.attribution || '',
  };
  // Outside the archive's bounds there are no tiles to ask for.
  const b = (data.basemapBounds || '').split(',').map(Number);
  if (b.length === 4 && b.every(Number.isFinite)) source.bounds = b;
  if (data.basemapType === 'mvt') {
    style.sources.basemap = { type: 'vector', ...source };
    style.layers.push(...vectorLayers('basemap'));
  } else {
    style.sources.basemap = { type: 'raster', tileSize: 256, ...source };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
}

// vectorLayers draws the Protomaps basemap layers earth, landuse (parks and
// the like), water, roads and buildings in quiet colours, so that the
// initiatives on top stand out.
function vectorLayers(source) {
  const polygons = ['in', ['geometry-type'], ['literal', ['Polygon', 'MultiPolygon']]];
  const lines = ['in', ['geometry-type'], ['literal', ['LineString', 'MultiLineString']]];
  const green = ['park', 'forest', 'wood', 'grass', 'garden', 'nature_reserve', 'protected_area', 'national_park',
    'cemetery', 'golf_course', 'playground', 'allotments', 'meadow', 'recreation_ground', 'village_green', 'pitch'];
  // Road widths by kind, at zoom 10 and at zoom 18.
  const width = (scale) => ['interpolate', ['exponential', 1.6], ['zoom'],
    10, ['*', scale, ['match', ['get', 'kind'], 'highway', 1.2, 'major_road', 0.8, 'medium_road', 0.6, 0.3]],
    18, ['*', scale, ['match', ['get', 'kind'], 'highway', 18, 'major_road', 14, 'medium_road', 12, 'minor_road', 8, 'path', 2, 4]]];
  const roads = ['all', lines, ['!=', ['get', 'kind'], 'ferry']];
  return [
    { id: 'earth', type: 'fill', source, 'source-layer': 'earth', paint: { 'fill-color': '#f4f2ee' } },
    {
      id: 'landuse-green', type: 'fill', source, 'source-layer': 'landuse',
      filter: ['all', polygons, ['in', ['get', 'kind'], ['literal', green]]],
      paint: { 'fill-color': '#dbe9d2' },
    },
    { id: 'water', type: 'fill', source, 'source-layer': 'water', filter: polygons, paint: { 'fill-color': '#b9d6e8' } },
    {
      id: 'waterways', type: 'line', source, 'source-layer': 'water', filter: lines,
      paint: { 'line-color': '#b9d6e8', 'line-width': ['interpolate', ['linear'], ['zoom'], 10, 0.5, 18, 4] },
    },
    {
      id: 'buildings', type: 'fill', source, 'source-layer': 'buildings', minzoom: 13,
      paint: { 'fill-color': '#e6e1da', 'fill-outline-color': '#d6cfc6' },
    },
    {
      id: 'roads-casing', type: 'line', source, 'source-layer': 'roads', filter: roads, minzoom: 11,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: { 'line-color': '#cfc8bd', 'line-width': width(1.3) },
    },
    {
      id: 'roads', type: 'line', source, 'source-layer': 'roads', filter: roads,
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': ['match', ['get', 'kind'], 'highway', '#f7dfa8', 'major_road', '#fdf3dc', '#ffffff'],
        'line-width': width(1),
      },
    },
  ];
}
