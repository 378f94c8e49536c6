// Light pages: what a first visit costs, in bytes on the wire, with an
// empty cache and without basemap tiles. Each page is opened in a fresh
// context with the cache disabled, and every response is counted as
// Chromium's network layer reports it (CDP Network.loadingFinished,
// encodedDataLength: headers and compressed body). The atlas is counted once
// its map has loaded, MapLibre and its worker included. Budgets: `/` 40 kB,
// the map pages 500 kB, every other page 80 kB (1 kB = 1000 bytes). The
// table of what was measured is printed at the end.

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, demoInitiatives, login, useSite } from '../lib/samen.mjs';

const site = await useSite();

const kB = 1000;
const budgets = { home: 40 * kB, map: 500 * kB, page: 80 * kB };

/** mapDrawn waits until the map shows its groups: MapLibre, its worker and the clusters have all arrived. */
const mapDrawn = (page) => page.locator('.map-panel .map-cluster, .map-panel .map-point').first().waitFor({ timeout: 60_000 });

/**
 * weigh opens path in a fresh context (signed in as `as`, when given) with
 * the cache off and returns every request with its bytes on the wire.
 */
async function weigh(path, { as, ready } = {}) {
  const context = await site.newContext({ lang: 'nl' });
  try {
    if (as) {
      const p = await context.newPage();
      await login(p, as.email, as.password);
      await p.close();
    }
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const requests = new Map(); // requestId → { url, type, encoding, bytes }
    cdp.on('Network.requestWillBeSent', (e) => {
      if (!e.request.url.startsWith('data:')) requests.set(e.requestId, { url: e.request.url, type: e.type });
    });
    cdp.on('Network.responseReceived', (e) => {
      const r = requests.get(e.requestId);
      if (r) Object.assign(r, { type: e.type, status: e.response.status, encoding: header(e.response.headers, 'content-encoding') });
    });
    cdp.on('Network.loadingFinished', (e) => {
      const r = requests.get(e.requestId);
      if (r) r.bytes = e.encodedDataLength;
    });
    await cdp.send('Network.enable');
    await cdp.send('Network.clearBrowserCache');
    await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });

    const res = await page.goto(path);
    assert.ok(res.ok(), `${path}: status ${res.status()}`);
    if (ready) await ready(page);
    await page.waitForLoadState('networkidle');

    // A worker's own script is fetched for the page but its response is
    // reported to the worker's target: its size comes from the page's
    // Resource Timing (transferSize: headers and compressed body as well).
    const readTiming = async () => new Map(await page.evaluate(() => performance.getEntriesByType('resource')
      .map((e) => [e.name, { transfer: e.transferSize, compressed: e.encodedBodySize < e.decodedBodySize }])));
    const list = [...requests.values()].filter((r) => !new URL(r.url).pathname.startsWith('/tiles/'));
    // The browser asks for the favicon after the load event; on a busy
    // runner it can still be on its way when the page counts as idle. Wait
    // (10 s at most) until every request has a size to read.
    let timing = await readTiming();
    for (const until = Date.now() + 10_000; Date.now() < until; timing = await readTiming()) {
      if (list.every((r) => r.bytes !== undefined || timing.has(r.url))) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    for (const r of list) {
      if (r.bytes === undefined && timing.has(r.url)) {
        r.bytes = timing.get(r.url).transfer;
        r.compressed = timing.get(r.url).compressed;
      }
      assert.ok(r.bytes > 0, `${path}: no size for ${r.url}`);
    }
    const { loadEventStart, libraryStart } = await page.evaluate(() => ({
      loadEventStart: performance.getEntriesByType('navigation')[0].loadEventStart,
      libraryStart: performance.getEntriesByType('resource').find((e) => /\/maplibre-gl\.[0-9a-f]+\.mjs$/.test(e.name))?.startTime,
    }));
    return { requests: list, loadEventStart, libraryStart };
  } finally {
    await context.close();
  }
}

function header(headers, name) {
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === name) return v;
  return undefined;
}

const measured = [];

/** record checks a measurement against its budget and keeps it for the table. */
function record(label, m, budget) {
  const total = m.requests.reduce((n, r) => n + r.bytes, 0);
  const bytesOf = (pred) => m.requests.filter(pred).reduce((n, r) => n + r.bytes, 0);
  const isScript = (r) => r.type === 'Script' || /\.m?js$/.test(new URL(r.url).pathname);
  measured.push({
    label, total, budget, requests: m.requests.length,
    html: bytesOf((r) => r.type === 'Document'),
    css: bytesOf((r) => r.type === 'Stylesheet'),
    js: bytesOf(isScript),
    other: bytesOf((r) => r.type !== 'Document' && r.type !== 'Stylesheet' && !isScript(r)),
    encodings: [...new Set(m.requests.map((r) => r.encoding).filter(Boolean))].sort().join(' '),
  });
  // What is text must have come compressed (small answers excepted).
  const plain = m.requests.filter((r) => !r.encoding && !r.compressed && r.bytes > 2 * kB && !/\.(png|jpe?g|webp)$/.test(r.url));
  assert.deepEqual(plain.map((r) => `${r.url} (${r.bytes} B)`), [], `${label}: sent without compression`);
  assert.ok(total <= budget, `${label}: ${fmt(total)} on the wire, budget ${fmt(budget)}:\n${m.requests.map((r) => `  ${fmt(r.bytes)}  ${r.url}`).join('\n')}`);
}

const fmt = (n) => `${(n / kB).toFixed(1)} kB`;

after(() => {
  const rows = [['page', 'total', 'budget', 'html', 'css', 'js', 'other', 'requests', 'encodings']];
  for (const m of measured) {
    rows.push([m.label, fmt(m.total), fmt(m.budget), fmt(m.html), fmt(m.css), fmt(m.js), fmt(m.other), String(m.requests), m.encodings]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  const lines = rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
  lines.splice(1, 0, widths.map((w) => '-'.repeat(w)).join('  '));
  console.log(`\nFirst visit, empty cache, bytes on the wire (headers and compressed bodies, no basemap tiles):\n${lines.join('\n')}\n`);
});

/** firstLink returns the first link in <main> on path whose target matches re. */
async function firstLink(path, re) {
  const context = await site.newContext({ javaScriptEnabled: false });
  try {
    const page = await context.newPage();
    await page.goto(path);
    const hrefs = await page.locator('main a[href]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    const href = hrefs.find((h) => re.test(h));
    assert.ok(href, `no link matching ${re} on ${path}`);
    return href;
  } finally {
    await context.close();
  }
}

/** workspacePath returns the address of a page of the demo member's workspace, read from the API. */
async function workspacePath(sub) {
  const context = await site.newContext();
  try {
    const page = await context.newPage();
    await login(page, DEMO.member.email, DEMO.member.password);
    const res = await page.request.get('/api/v1/workspaces');
    assert.equal(res.status(), 200);
    const ws = (await res.json()).workspaces.find((w) => w.circle === 'core');
    assert.ok(ws, 'the demo member is the core team of a workspace');
    return `/workspaces/${ws.slug}${sub}`;
  } finally {
    await context.close();
  }
}

/** demoDecision returns the address of the demo workspace's decision of method, read from the API as the demo member. */
async function demoDecision(method) {
  const context = await site.newContext();
  try {
    const page = await context.newPage();
    await login(page, DEMO.member.email, DEMO.member.password);
    const ws = (await (await page.request.get('/api/v1/workspaces')).json()).workspaces.find((w) => w.circle === 'core');
    const res = await page.request.get(`/api/v1/workspaces/${ws.slug}/decisions`);
    assert.equal(res.status(), 200);
    const d = (await res.json()).decisions.find((x) => x.method === method);
    assert.ok(d, `the demo workspace has a ${method} decision`);
    return `/decisions/${d.id}`;
  } finally {
    await context.close();
  }
}

/** demoBudget returns the address of the demo's participatory budget (its result out), read from the API. */
async function demoBudget(sub = '') {
  const context = await site.newContext();
  try {
    const res = await context.request.get('/api/v1/budgets');
    assert.equal(res.status(), 200);
    const b = (await res.json()).budgets.find((x) => x.phase === 'result');
    assert.ok(b, 'the demo has a budget with its result');
    return `/budgets/${b.id}${sub}`;
  } finally {
    await context.close();
  }
}

describe('first visit, bytes on the wire', () => {
  it('/ (budget 40 kB)', { timeout: 60_000 }, async () => {
    record('/', await weigh('/'), budgets.home);
  });

  it('/atlas with its map loaded (budget 500 kB); MapLibre only after the page has loaded', { timeout: 120_000 }, async () => {
    const m = await weigh('/atlas', { ready: mapDrawn });
    record('/atlas (map loaded)', m, budgets.map);
    const lib = m.requests.find((r) => /\/vendor\/maplibre-gl\.[0-9a-f]+\.mjs$/.test(r.url));
    const worker = m.requests.find((r) => /\/vendor\/maplibre-gl-worker\.[0-9a-f]+\.mjs$/.test(r.url));
    assert.ok(lib && worker, 'MapLibre and its worker were fetched, by their fingerprinted URLs');
    // The page's own timeline: MapLibre was asked for once the load event
    // had begun, that is after the list, its style sheet and scripts.
    assert.ok(m.libraryStart >= m.loadEventStart,
      `MapLibre was asked for at ${m.libraryStart.toFixed(0)} ms, before the page's load event at ${m.loadEventStart.toFixed(0)} ms`);
  });

  it('/atlas on a slow connection: the list works before the map arrives', { timeout: 120_000 }, async () => {
    const context = await site.newContext({ lang: 'nl' });
    try {
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      await cdp.send('Network.enable');
      await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
      // A phone on a weak mobile connection: 1.6 Mbit/s down, 150 ms.
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false, latency: 150, downloadThroughput: 200_000, uploadThroughput: 90_000,
      });
      await page.goto('/atlas', { waitUntil: 'load' });
      const listAt = await page.evaluate(() => performance.now());
      assert.ok(await page.locator('main .results h3 a').count() > 0, 'the list is there at the load event');
      assert.equal(await page.locator('.maplibregl-map').count(), 0, 'the map is not drawn yet');
      // The list can be used meanwhile: the search field takes a word.
      await page.locator('#q').fill('reparatie');
      await mapDrawn(page);
      const mapAt = await page.evaluate(() => performance.now());
      console.log(`/atlas at 1.6 Mbit/s, 150 ms: list usable after ${(listAt / 1000).toFixed(1)} s, map drawn after ${(mapAt / 1000).toFixed(1)} s`);
    } finally {
      await context.close();
    }
  });

  it('/embed/atlas with its map loaded (budget 500 kB)', { timeout: 120_000 }, async () => {
    record('/embed/atlas (map loaded)', await weigh('/embed/atlas', { ready: mapDrawn }), budgets.map);
  });

  const visitorPages = [
    ['/atlas/{initiative}', async () => `/atlas/${await site.initiativeId(demoInitiatives[0].name)}`],
    ['/atlas/{initiative}/history', async () => `/atlas/${await site.initiativeId(demoInitiatives[0].name)}/history`],
    ['/toolbox', '/toolbox'],
    ['/toolbox/tools/{tool}', () => firstLink('/toolbox', /^\/toolbox\/tools\/(?!new$)[^/]+$/)],
    ['/toolbox/scan', '/toolbox/scan'],
    ['/toolbox/advisor', '/toolbox/advisor'],
    ['/toolbox/guides', '/toolbox/guides'],
    ['/toolbox/guides/{guide}', () => firstLink('/toolbox/guides', /^\/toolbox\/guides\/(?!new$)[^/]+$/)],
    ['/assessments', '/assessments'],
    ['/assessments/methodology', '/assessments/methodology'],
    ['/assessments/{assessment}', () => firstLink('/assessments', /^\/assessments\/\d+$/)],
    ['/login', '/login'],
    ['/signup', '/signup'],
    ['/password/forgot', '/password/forgot'],
    ['/api', '/api'],
    ['/decisions', '/decisions'],
    // The demo's budget with its result: every rule side by side, and why.
    ['/budgets/{budget} (result)', () => demoBudget()],
  ];
  for (const [label, path] of visitorPages) {
    it(`${label} (budget 80 kB)`, { timeout: 60_000 }, async () => {
      record(label, await weigh(typeof path === 'function' ? await path() : path), budgets.page);
    });
  }

  const signedInPages = [
    ['/account (member)', '/account', DEMO.member],
    ['/atlas/new (member)', '/atlas/new', DEMO.member],
    ['/toolbox/scans (member)', '/toolbox/scans', DEMO.member],
    ['/moderation (moderator)', '/moderation', DEMO.moderator],
    ['/admin/people (steward)', '/admin/people', DEMO.steward],
    ['/admin/audit (steward)', '/admin/audit', DEMO.steward],
    ['/admin/outbox (steward)', '/admin/outbox', DEMO.steward],
    ['/toolbox/aggregates (steward)', '/toolbox/aggregates', DEMO.steward],
    ['/toolbox/tools/new (steward)', '/toolbox/tools/new', DEMO.steward],
    ['/assessments/new (steward)', '/assessments/new', DEMO.steward],
    // The demo workspace's register (all the demo's rows) and its shares,
    // as its core team (and treasurer) sees them.
    ['/workspaces/{ws}/members (core)', () => workspacePath('/members'), DEMO.member],
    ['/workspaces/{ws}/shares (treasurer)', () => workspacePath('/shares'), DEMO.member],
    // Deciding together: the workspace's decisions, the open ranked vote
    // with its ballot and results so far, the closed consent decision, and
    // the demo budget's paper ballots (hundreds of sheets) as a steward.
    ['/workspaces/{ws}/decisions (core)', () => workspacePath('/decisions'), DEMO.member],
    ['/decisions/{decision} (ranked vote, ballot)', () => demoDecision('schulze'), DEMO.member],
    ['/decisions/{decision} (closed, results)', () => demoDecision('consent'), DEMO.member],
    ['/budgets/{budget}/paper (steward)', () => demoBudget('/paper'), DEMO.steward],
  ];
  for (const [label, path, as] of signedInPages) {
    it(`${label} (budget 80 kB)`, { timeout: 60_000 }, async () => {
      record(label, await weigh(typeof path === 'function' ? await path() : path, { as }), budgets.page);
    });
  }
});
