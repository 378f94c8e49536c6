// Shared helpers for the browser tests: building and starting a real samen
// process, launching Debian's Chromium through playwright-core, logging in,
// reading mail from the outbox page, and watching every page for requests to
// other hosts and for pages served without a strict Content-Security-Policy.

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after } from 'node:test';
import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';
import axeCore from 'axe-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');

export const CHROMIUM = process.env.SAMEN_E2E_CHROMIUM || '/usr/bin/chromium';
export const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  // The atlas map (MapLibre GL) needs WebGL: SwiftShader draws it in
  // software, so headless Chromium has it without a GPU. Not --disable-gpu,
  // which turns WebGL off.
  '--use-angle=swiftshader',
  '--enable-unsafe-swiftshader',
  // The pages are put together on the CPU rather than through SwiftShader's
  // emulated GPU, which took a fifth of the browser's CPU time; WebGL (the
  // map) still draws with SwiftShader.
  '--disable-gpu-compositing',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

// The accounts `samen serve --demo` creates.
export const DEMO = {
  steward: { email: 'steward@example.org', password: 'demo-steward-samen' },
  moderator: { email: 'moderator@example.org', password: 'demo-moderator-samen' },
  member: { email: 'member@example.org', password: 'demo-member-samen' },
};

export const LANGUAGES = ['nl', 'en'];

// The initiatives `samen serve --demo` adds, in the order it adds them, and
// the ones the demo member is an editor of (the first three).
export const demoInitiatives = JSON.parse(
  await readFile(join(repoRoot, 'internal', 'demo', 'initiatives.json'), 'utf8'),
);
export const memberInitiatives = demoInitiatives.slice(0, 3);

// How long one browser step may take before the test fails. Generous for a
// busy two-core CI runner, short enough that a broken page fails quickly.
const STEP_TIMEOUT = 15_000;

// ---------------------------------------------------------------------------
// Texts: the same catalogues the server uses, so tests assert what a reader
// sees without copying strings.

// Each language's folder holds one file per part (atlas.json, site.json, …).
const catalogues = {};
for (const lang of LANGUAGES) {
  const dir = join(repoRoot, 'internal', 'web', 'i18n', lang);
  catalogues[lang] = {};
  for (const file of (await readdir(dir)).filter((f) => f.endsWith('.json')).sort()) {
    Object.assign(catalogues[lang], JSON.parse(await readFile(join(dir, file), 'utf8')));
  }
}

/** t returns the message for key in lang, with {name} placeholders filled. */
export function t(lang, key, vars = {}) {
  const msg = catalogues[lang][key];
  assert.ok(msg !== undefined, `no message ${key} in i18n/${lang}/`);
  return msg.replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));
}

/**
 * uniqueName returns a name for a new initiative that no other test (nor an
 * earlier run on a shared database) has used: the prefix and a made-up word
 * of letters only, which the search finds as it is.
 */
export function uniqueName(prefix) {
  return `${prefix} ${uniqueWord()}`;
}

/** uniqueWord returns a made-up word of ten lower-case letters. */
export function uniqueWord() {
  let w = '';
  for (let i = 0; i < 10; i++) w += String.fromCharCode(97 + Math.floor(Math.random() * 26));
  return w;
}

/**
 * countIn reads the number out of a text made from message key (as
 * "{n} initiatives found" is), or fails when the text is not that message.
 */
export function countIn(lang, key, text, placeholder = 'n') {
  const pattern = escapeRegExp(t(lang, key, { [placeholder]: '\u0000' })).replace('\u0000', '(\\d+)');
  const m = text.trim().match(new RegExp(`^${pattern}$`));
  assert.ok(m, `"${text.trim()}" is not the message ${key} (${t(lang, key)})`);
  return Number(m[1]);
}

/** uniqueEmail returns an address nobody has used, also on a shared database. */
export function uniqueEmail(prefix) {
  const rnd = Math.random().toString(36).slice(2, 8);
  return `${prefix}-${Date.now().toString(36)}-${rnd}@example.org`;
}

// ---------------------------------------------------------------------------
// The samen binary and process.

/**
 * samenBinary returns the path of a samen binary: $SAMEN_E2E_BINARY when set
 * (run.mjs sets it after building once), else a fresh `go build` into a
 * temporary directory. cleanup removes what was built.
 */
export async function samenBinary() {
  if (process.env.SAMEN_E2E_BINARY) {
    return { path: resolve(process.env.SAMEN_E2E_BINARY), cleanup: async () => {} };
  }
  const dir = await mkdtemp(join(tmpdir(), 'samen-e2e-bin-'));
  const path = join(dir, process.platform === 'win32' ? 'samen.exe' : 'samen');
  await promisify(execFile)('go', ['build', '-o', path, './cmd/samen'], { cwd: repoRoot });
  return { path, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * startSamen runs `samen serve --demo` on a free port with a fresh data
 * directory and no mail server (so mail lands on the outbox page), and
 * resolves once it prints the address it listens on.
 */
export async function startSamen(binary) {
  const dataDir = await mkdtemp(join(tmpdir(), 'samen-e2e-data-'));
  // Only the settings chosen here: nothing from the developer's own
  // environment (an SMTP host, say) may change what the tests see.
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('SAMEN_')) env[k] = v;
  }
  env.SAMEN_ADDR = '127.0.0.1:0';
  env.SAMEN_DATA_DIR = dataDir;
  if (process.env.SAMEN_E2E_DATABASE_URL) env.SAMEN_DATABASE_URL = process.env.SAMEN_E2E_DATABASE_URL;

  const child = spawn(binary, ['serve', '--demo'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => { output += d; });
  child.stdout.setEncoding('utf8');

  const exited = new Promise((res) => child.once('exit', (code, signal) => res({ code, signal })));
  // Should this test process end without tearDown (a crash, a timeout),
  // samen must not live on.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);

  let started;
  try {
    started = await new Promise((res, rej) => {
      let stdout = '';
      const timer = setTimeout(() => rej(new Error('samen did not start within 60 s')), 60_000);
      child.stdout.on('data', (d) => {
        stdout += d;
        output += d;
        const m = stdout.match(/ is running at (https?:\/\/\S+) \(database: (\w+), mail: (\w+)\)/);
        if (m) {
          clearTimeout(timer);
          res({ url: m[1], database: m[2], mail: m[3] });
        }
      });
      child.once('error', (err) => { clearTimeout(timer); rej(err); });
      exited.then(({ code, signal }) => { clearTimeout(timer); rej(new Error(`samen exited (code ${code}, signal ${signal})`)); });
    });
    // A wrong setting must not quietly test something else.
    const wanted = process.env.SAMEN_E2E_DATABASE_URL ? 'postgres' : 'sqlite';
    if (started.database !== wanted || started.mail !== 'log') {
      throw new Error(`samen runs with database ${started.database} and mail ${started.mail}; the tests need ${wanted} and log`);
    }
  } catch (err) {
    if (child.pid !== undefined) {
      child.kill('SIGKILL');
      await exited;
    }
    process.removeListener('exit', killOnExit);
    await rm(dataDir, { recursive: true, force: true });
    throw new Error(`${err.message}\n--- samen's output ---\n${output}`);
  }
  const { url, database } = started;

  return {
    url,
    database,
    origin: new URL(url).origin,
    /** log returns everything samen printed so far, for failure messages. */
    log: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        await exited;
        clearTimeout(timer);
      }
      process.removeListener('exit', killOnExit);
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** launchBrowser starts Debian's Chromium, headless. */
export function launchBrowser() {
  return chromium.launch({ executablePath: CHROMIUM, args: LAUNCH_ARGS });
}

// ---------------------------------------------------------------------------
// One test file's world: a samen process, a browser, and the contexts opened
// on it, every one of them watched.

/**
 * setUp builds (or takes) samen, starts it and the browser; the caller tears
 * it down. Test files use useSite, which does both.
 */
export async function setUp() {
  const bin = await samenBinary();
  let server;
  try {
    server = await startSamen(bin.path);
  } catch (err) {
    await bin.cleanup();
    throw err;
  }
  let browser;
  try {
    browser = await launchBrowser();
  } catch (err) {
    await server.stop();
    await bin.cleanup();
    throw err;
  }
  return new Site(server, browser, bin);
}

/**
 * useSite sets up this test file's world and tears it down after the file's
 * tests, failing the file if a watcher saw a request elsewhere or a CSP
 * problem. Use it at the top of a test file: `const site = await useSite();`
 */
export async function useSite() {
  const site = await setUp();
  after(async () => {
    try {
      site.assertClean();
    } finally {
      await site.tearDown();
    }
  });
  return site;
}

export class Site {
  constructor(server, browser, bin) {
    this.server = server;
    this.browser = browser;
    this.bin = bin;
    this.url = server.url;
    this.origin = server.origin;
    this.contexts = [];
    this.watcher = new Watcher(this.origin);
    this.stewardPages = {};
    this.initiativeIds = new Map();
  }

  /** abs turns a path into an absolute URL on the samen server. */
  abs(path) {
    return new URL(path, this.url).href;
  }

  /**
   * newContext opens a browser context. lang sets the samen_lang cookie (as
   * the language switch does); without it the locale's Accept-Language
   * (Dutch) decides. Every request, response and console message is watched.
   */
  async newContext({ lang, javaScriptEnabled = true, locale = 'nl-NL' } = {}) {
    const context = await this.browser.newContext({ javaScriptEnabled, locale, baseURL: this.url });
    context.setDefaultTimeout(STEP_TIMEOUT);
    context.setDefaultNavigationTimeout(STEP_TIMEOUT);
    if (lang) await setLanguageCookie(context, this.url, lang);
    this.watch(context);
    this.contexts.push(context);
    return context;
  }

  /** newPage opens a context with one page in it. */
  async newPage(options) {
    const context = await this.newContext(options);
    return context.newPage();
  }

  watch(context) {
    this.watcher.watch(context);
  }

  /**
   * assertClean fails when any page of this site asked another host for
   * something, was served without a strict CSP, or had content blocked by
   * the CSP. Every test file calls it in after().
   */
  assertClean() {
    this.watcher.assertClean();
  }

  get foreignRequests() { return this.watcher.foreignRequests; }
  get documents() { return this.watcher.documents; }
  get cspReports() { return this.watcher.cspReports; }

  /**
   * stewardPage returns a page signed in as the demo steward (one per
   * language, kept open), for the admin pages and the outbox.
   */
  async stewardPage(lang = 'nl') {
    if (!this.stewardPages[lang]) {
      const page = await this.newPage({ lang });
      await login(page, DEMO.steward.email, DEMO.steward.password);
      this.stewardPages[lang] = page;
    }
    return this.stewardPages[lang];
  }

  /**
   * initiativeId returns the id of the published initiative called `name`,
   * as a visitor finds it: searched for by name on /atlas, its link in the
   * list. A page of its own (without JavaScript: only the list is needed)
   * does the looking, so the caller's page stays where it is.
   */
  async initiativeId(name) {
    if (!this.initiativeIds.has(name)) {
      this.lookupPage ??= await this.newPage({ javaScriptEnabled: false });
      const page = this.lookupPage;
      await page.goto(`/atlas?q=${encodeURIComponent(name)}`);
      const links = page.locator('main .results h3 a').filter({ hasText: new RegExp(`^\\s*${escapeRegExp(name)}\\s*$`) });
      assert.equal(await links.count(), 1, `searching /atlas for "${name}" lists it once`);
      const m = (await links.getAttribute('href')).match(/^\/atlas\/(\d+)$/);
      assert.ok(m, `the link to "${name}" is /atlas/{id}`);
      this.initiativeIds.set(name, Number(m[1]));
    }
    return this.initiativeIds.get(name);
  }

  /**
   * readMail returns the newest mail to `to` on the outbox page, read by
   * the steward in a context of its own: { subject, body }.
   */
  async readMail(to, { subject } = {}) {
    const page = await this.stewardPage();
    await page.goto('/admin/outbox');
    const articles = page.locator('main article').filter({
      has: page.locator('dd', { hasText: new RegExp(`^\\s*${escapeRegExp(to)}\\s*$`) }),
    });
    const matching = subject ? articles.filter({ has: page.locator('h2', { hasText: subject }) }) : articles;
    const n = await matching.count();
    assert.ok(n > 0, `no mail to ${to}${subject ? ` about "${subject}"` : ''} on the outbox page`);
    const mail = matching.first();
    return {
      subject: (await mail.locator('h2').innerText()).trim(),
      body: await mail.locator('pre').innerText(),
    };
  }

  /** linkIn returns the first link in a mail body with the given path. */
  linkIn(body, path) {
    const m = body.match(new RegExp(`https?://[^\\s]+${escapeRegExp(path)}\\?token=[^\\s]+`));
    assert.ok(m, `no ${path} link in the mail:\n${body}`);
    const link = new URL(m[0]);
    assert.equal(link.origin, this.origin, 'mail links point at the server that sent them');
    return link.href;
  }

  /** verifyLinkFor reads the verification link sent to `to`. */
  async verifyLinkFor(to) {
    const { body } = await this.readMail(to);
    return this.linkIn(body, '/verify');
  }

  /** resetLinkFor reads the password reset link sent to `to`. */
  async resetLinkFor(to) {
    const { body } = await this.readMail(to);
    return this.linkIn(body, '/password/reset');
  }

  async tearDown() {
    for (const c of this.contexts) await c.close().catch(() => {});
    await this.browser?.close().catch(() => {});
    await this.server?.stop();
    await this.bin?.cleanup();
  }
}

/**
 * Watcher records, for every context it watches, each request to a host
 * other than samen, each HTML response with its Content-Security-Policy,
 * each console message about content the CSP blocked, and script errors.
 */
export class Watcher {
  constructor(origin) {
    this.origin = origin;
    this.foreignRequests = []; // requests to any host but samen
    this.documents = []; // { url, status, csp } for every HTML response
    this.cspReports = []; // console messages about blocked content
    this.pageErrors = [];
  }

  watch(context) {
    context.on('request', (req) => {
      const u = new URL(req.url());
      if (u.protocol === 'data:' || u.protocol === 'blob:' || u.protocol === 'about:') return;
      if (u.origin !== this.origin) this.foreignRequests.push(`${req.method()} ${req.url()} (from ${req.frame()?.url() ?? '?'})`);
    });
    context.on('response', (res) => {
      if (new URL(res.url()).origin !== this.origin) return;
      const type = res.headers()['content-type'] || '';
      if (res.request().resourceType() === 'document' || type.startsWith('text/html')) {
        this.documents.push({ url: res.url(), status: res.status(), csp: res.headers()['content-security-policy'] });
      }
    });
    context.on('console', (msg) => {
      if (/Content Security Policy|Refused to/i.test(msg.text())) this.cspReports.push(`${msg.location()?.url}: ${msg.text()}`);
    });
    context.on('weberror', (err) => this.pageErrors.push(String(err.error())));
  }

  /**
   * assertClean fails when any watched page asked another host for
   * something, was served without a strict CSP, had content blocked by the
   * CSP or threw a script error.
   */
  assertClean() {
    assert.deepEqual(this.foreignRequests, [], `requests to hosts other than ${this.origin}`);
    const weak = this.documents.filter((d) => cspProblems(d.csp).length > 0)
      .map((d) => `${d.status} ${d.url}: ${cspProblems(d.csp).join('; ')}`);
    assert.deepEqual(weak, [], 'HTML responses without a strict Content-Security-Policy');
    assert.deepEqual(this.cspReports, [], 'content blocked by the Content-Security-Policy (inline script or style?)');
    assert.deepEqual(this.pageErrors, [], 'JavaScript errors on pages');
  }
}

/** cspProblems lists what is missing from or too lax in a CSP header. */
export function cspProblems(csp) {
  if (!csp) return ['no Content-Security-Policy header'];
  const out = [];
  const directives = new Map(csp.split(';').map((d) => d.trim()).filter(Boolean).map((d) => {
    const [name, ...values] = d.split(/\s+/);
    return [name.toLowerCase(), values];
  }));
  if (/'unsafe-inline'/i.test(csp)) out.push("allows 'unsafe-inline'");
  if (/'unsafe-eval'/i.test(csp)) out.push("allows 'unsafe-eval'");
  for (const name of ['script-src', 'style-src']) {
    const values = directives.get(name) ?? directives.get('default-src');
    if (!values) out.push(`no ${name} (nor default-src)`);
    else if (values.some((v) => v === '*' || /^(https?:|data:)$/i.test(v))) out.push(`${name} allows any host`);
  }
  if (!directives.has('default-src')) out.push('no default-src');
  if (!directives.has('frame-ancestors')) out.push('no frame-ancestors');
  return out;
}

export async function setLanguageCookie(context, url, lang) {
  await context.addCookies([{ name: 'samen_lang', value: lang, url, sameSite: 'Lax' }]);
}

function escapeRegExp(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// ---------------------------------------------------------------------------
// Page actions.

/** mainForm returns the form in <main> whose action is `action`. */
export function mainForm(page, action) {
  return page.locator(`main form[action="${action}"]`);
}

/**
 * submit clicks a form's submit button and waits until the answer has
 * loaded. Forms post to the server; the page that comes back replaces this
 * one.
 */
export async function submit(page, form) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    form.locator('button[type=submit]').first().click(),
  ]);
  await page.waitForLoadState('load');
}

/** login signs in through the login form and waits for the redirect. */
export async function login(page, email, password) {
  await page.goto('/login');
  const form = mainForm(page, '/login');
  await form.locator('#email').fill(email);
  await form.locator('#password').fill(password);
  await submit(page, form);
  const u = new URL(page.url());
  assert.notEqual(u.pathname, '/login', `login as ${email} failed: ${await page.locator('main').innerText()}`);
}

/** signUp fills in and submits the sign-up form on the current page. */
export async function signUp(page, { email, name, password }) {
  await page.goto('/signup');
  const form = mainForm(page, '/signup');
  await form.locator('#email').fill(email);
  if (name !== undefined) await form.locator('#name').fill(name);
  await form.locator('#password').fill(password);
  await submit(page, form);
}

/**
 * proposeInitiative fills the form on /atlas/new (on a signed-in page) with
 * what a new initiative needs at least, a name, a summary and a sector, and
 * sends it.
 */
export async function proposeInitiative(page, { name, summary = 'Een initiatief dat de tests aanmelden.', sector = 'food' }) {
  await page.goto('/atlas/new');
  const form = mainForm(page, '/atlas/new');
  await form.locator('[id="name"]').fill(name);
  await form.locator('[id="summary.nl"]').fill(summary);
  await form.locator(`[id="sector-${sector}"]`).check();
  await submit(page, form);
}

/** h1 returns the text of the page's heading. */
export async function h1(page) {
  return (await page.locator('main h1').innerText()).trim();
}

/** htmlLang returns the lang attribute of <html>. */
export function htmlLang(page) {
  return page.locator('html').getAttribute('lang');
}

// ---------------------------------------------------------------------------
// Keyboard: focus, Tab and Enter, as someone without a mouse uses a page.

/** focused describes the element that has focus and how focus is drawn. */
export function focused(page) {
  return page.evaluate(() => {
    const el = document.activeElement;
    const cs = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    const label = el.id ? document.querySelector(`label[for="${CSS.escape(el.id)}"]`) : null;
    return {
      tag: el.tagName.toLowerCase(),
      id: el.id,
      cls: typeof el.className === 'string' ? el.className : '',
      href: el.getAttribute('href'),
      text: (el.innerText || label?.innerText || el.getAttribute('aria-label') || el.value || '').trim().replace(/\s+/g, ' ').slice(0, 60),
      describedBy: el.getAttribute('aria-describedby'),
      focusVisible: el.matches(':focus-visible'),
      // Focus on a part inside the element (a date field's calendar
      // button): the element itself is not :focus, but :focus-within.
      focusInside: el.matches(':focus-within') && !el.matches(':focus'),
      outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
      outlineStyle: cs.outlineStyle,
      outlineWidth: parseFloat(cs.outlineWidth) || 0,
      boxShadow: cs.boxShadow,
      rect: { top: r.top, bottom: r.bottom, left: r.left, right: r.right, width: r.width, height: r.height },
      viewport: { width: innerWidth, height: innerHeight },
      scrollY,
    };
  });
}

export function nameOf(f) {
  return `<${f.tag}${f.id ? `#${f.id}` : ''}${f.cls ? `.${f.cls.split(' ').join('.')}` : ''}${f.href ? ` href="${f.href}"` : ''}> "${f.text}"`;
}

/**
 * assertFocusVisible checks that the focused element draws a focus
 * indicator (an outline or a box-shadow, as :focus-visible asks, or as
 * :focus-within does when focus is on a part inside it) and is on the
 * screen.
 */
export function assertFocusVisible(f) {
  const what = nameOf(f);
  assert.ok(f.focusVisible || f.focusInside, `${what} has keyboard focus but does not match :focus-visible`);
  const drawn = (f.outlineStyle !== 'none' && f.outlineWidth > 0) || (f.boxShadow && f.boxShadow !== 'none');
  assert.ok(drawn, `${what} shows no focus indicator (outline: ${f.outline}; box-shadow: ${f.boxShadow})`);
  assert.ok(f.rect.width > 0 && f.rect.height > 0, `${what} has focus but no size: it cannot be seen`);
  assert.ok(f.rect.bottom > 0 && f.rect.top < f.viewport.height && f.rect.right > 0 && f.rect.left < f.viewport.width,
    `${what} has focus but is outside the viewport (${JSON.stringify(f.rect)})`);
}

/**
 * autofocused waits until the page has moved focus away from <body> (an
 * `autofocus` element gets focus when the page is first drawn, which can be
 * just after the load event) and returns what has focus then; <body> if
 * nothing took it.
 */
export async function autofocused(page) {
  await page.waitForFunction(() => document.activeElement && document.activeElement !== document.body, null, { timeout: 5_000 })
    .catch(() => {});
  return focused(page);
}

export async function press(page, key) {
  await page.keyboard.press(key);
  return focused(page);
}

/**
 * tabTo presses Tab until the element matching `selector` has focus; each
 * stop on the way must show its focus.
 */
export async function tabTo(page, selector, max = 40) {
  for (let i = 0; i < max; i++) {
    const f = await press(page, 'Tab');
    assertFocusVisible(f);
    if (await page.evaluate((s) => document.activeElement.matches(s), selector)) return f;
  }
  assert.fail(`${max} presses of Tab did not reach ${selector}`);
}

/**
 * walk presses Tab from a fresh load until focus leaves the page and
 * returns every stop; each must show its focus.
 */
export async function walk(page, max = 150) {
  const stops = [];
  for (let i = 0; i < max; i++) {
    const f = await press(page, 'Tab');
    if (f.tag === 'body' || (stops.length > 0 && nameOf(f) === nameOf(stops[0]))) return stops;
    assertFocusVisible(f);
    stops.push(f);
  }
  assert.fail(`${max} presses of Tab did not get through the page: a keyboard trap?`);
}

/** pressEnterToSubmit presses Enter and waits for the page that comes back. */
export async function pressEnterToSubmit(page) {
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (fr) => fr === page.mainFrame() }),
    page.keyboard.press('Enter'),
  ]);
  await page.waitForLoadState('load');
}

/** typeInto types text into the focused element, key by key. */
export async function typeInto(page, text) {
  await page.keyboard.type(text);
}

/** TAGS are the WCAG levels every page must meet: 2.0 and 2.1, A and AA. */
export const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * axeResults runs axe-core's TAGS rules on the whole page (document, not a
 * part of it) and returns its results: the same rules and results as
 * `new AxeBuilder({ page }).withTags(TAGS).analyze()`, run as axe.run() in
 * the page itself. AxeBuilder runs each frame apart and merges the results
 * in a blank page it opens for every run, which costs a second or more a
 * page on a two-core runner; samen's pages have no frames. A page that has
 * some (a test's own) still goes through AxeBuilder, frames and all.
 */
export async function axeResults(page) {
  if (page.frames().length > 1) return new AxeBuilder({ page }).withTags(TAGS).analyze();
  const loaded = await page.evaluate((version) => window.axe?.version === version, axeCore.version);
  if (!loaded) {
    // As AxeBuilder configures it, so help links read the same.
    await page.evaluate(`${axeCore.source}\n;axe.configure({ branding: { application: 'playwright' } });`);
  }
  return page.evaluate((tags) => window.axe.run(document, { runOnly: { type: 'tag', values: tags } }), TAGS);
}

/** axe runs axe-core on the page and fails with a readable report. */
export async function axe(page, label) {
  const results = await axeResults(page);
  if (results.violations.length > 0) {
    assert.fail(`${label} (${page.url()}): ${results.violations.length} accessibility violation(s)\n${formatViolations(results.violations)}`);
  }
}

/** formatViolations writes axe-core's findings as rule, help and elements. */
export function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => [
      `    at ${n.target.join(' ')}`,
      `       ${n.html.replace(/\s+/g, ' ').slice(0, 300)}`,
      ...(n.failureSummary ?? '').split('\n').map((l) => `       ${l}`),
    ].join('\n'));
    return [`  ${v.id} [${v.impact}] ${v.help}`, `    ${v.helpUrl}`, ...nodes].join('\n');
  }).join('\n');
}

/** notice returns the text of the page's notice (role=status). */
export async function notice(page) {
  return (await page.locator('main .notice[role=status]').innerText()).trim();
}

/**
 * formErrors checks a form shown with its errors: the error summary is an
 * alert that links to each field named, each link leads to an element that
 * is there, the field says it is invalid and names its message, and no
 * field the page asks to fill in is labelled optional.
 */
export const formErrors = (lang, fields) => async (page) => {
  const summary = page.locator('main .error-summary');
  await summary.waitFor();
  assert.equal(await summary.getAttribute('role'), 'alert');
  for (const f of fields) await summary.locator(`a[href="#${f}"]`).waitFor();
  const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.innerText.trim() })));
  assert.ok(links.length > 0, 'the error summary links to the problems');
  const optional = `(${t(lang, 'form.optional')})`;
  // Every problem is listed before the test fails, so one run names them all.
  const problems = [];
  for (const { href, text } of links) {
    const id = href.slice(1);
    const target = page.locator(`[id="${id}"]`);
    if (await target.count() !== 1) {
      problems.push(`the error summary links to ${href} ("${text}"), but the page has no element with that id`);
      continue;
    }
    const tag = await target.evaluate((el) => el.tagName.toLowerCase());
    const describedBy = (await target.getAttribute('aria-describedby') ?? '').split(/\s+/);
    if (!describedBy.includes(`${id}-error`)) problems.push(`${href}: aria-describedby "${describedBy.join(' ')}" does not name ${id}-error`);
    else if ((await page.locator(`[id="${id}-error"]`).innerText()).trim() !== text) problems.push(`${href}: its message is not what the summary says ("${text}")`);
    if (tag !== 'fieldset' && await target.getAttribute('aria-invalid') !== 'true') problems.push(`${href}: no aria-invalid="true"`);
    // What must be filled in must not say "(optional)".
    if (text === t(lang, 'field.required')) {
      const label = tag === 'fieldset'
        ? await target.locator(':scope > legend').innerText()
        : await page.locator(`label[for="${id}"]`).innerText();
      if (label.includes(optional)) {
        problems.push(`${href} must be filled in ("${text}"), yet its ${tag === 'fieldset' ? 'legend' : 'label'} says "${label.trim()}"`);
      }
    }
  }
  assert.deepEqual(problems, [], `the form's errors on ${page.url()}:\n  ${problems.join('\n  ')}`);
};
