// The atlas map: MapLibre GL JS draws the basemap (or a plain background)
// and samen's own clusters, fetched from /api/v1/clusters for the view. Every
// cluster is a button and every initiative a link, so the map can be used by
// keyboard; the list next to it says the same for screen readers and works
// without this script, which only adds.
import * as maplibregl from './vendor/maplibre-gl.mjs';

const panel = document.querySelector('[data-map]');
if (panel) {
  start(panel);
}

function start(panel) {
  const el = panel.querySelector('.map');
  const status = panel.querySelector('.map-status');
  const label = (name, count) => (panel.dataset['label' + name] || '').replace('{count}', count);
  const search = new URLSearchParams(panel.dataset.search || '');
  const embedded = panel.hasAttribute('data-embedded');

  const style = {
    version: 8,
    sources: {},
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#e9eef0' } }],
  };
  if (panel.dataset.tiles) {
    style.sources.basemap = {
      type: 'raster', tiles: [panel.dataset.tiles], tileSize: 256,
      attribution: panel.dataset.attribution || '',
    };
    style.layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
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
      attributionControl: panel.dataset.tiles ? { compact: true } : false,
      cooperativeGestures: embedded,
    });
  } catch (err) {
    status.textContent = label('Error');
    return;
  }
  panel.hidden = false;
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');

  const markers = [];
  let pending = null;

  async function refresh() {
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
    status.textContent = label('InView', total);
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
