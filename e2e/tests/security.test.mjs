// Security basics as a browser sees them: a strict Content-Security-Policy
// on every response, no inline script or style, no request to any host but
// samen, a session cookie scripts cannot read, and no cross-site form posts
// or framing.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEMO, Watcher, cspProblems, login, mainForm, useSite, submit, t } from '../lib/samen.mjs';

const site = await useSite();

const visitorPaths = [
  '/', '/api', '/login', '/signup', '/verify/resend', '/password/forgot',
  '/password/reset?token=bad', '/verify?token=bad', '/no/such/page',
  '/account', // a redirect to the login form
  '/logout', // a redirect home
  '/language?lang=en&next=/api', // the language switch: a redirect
];
const stewardPaths = ['/account', '/admin/people', '/admin/audit', '/admin/outbox', '/logout'];

/** hops returns the responses of a navigation, redirects first. */
async function hops(response) {
  const out = [response];
  for (let req = response.request().redirectedFrom(); req; req = req.redirectedFrom()) {
    out.unshift(await req.response());
  }
  return out;
}

async function assertSecureHeaders(response) {
  for (const res of await hops(response)) {
    const h = await res.allHeaders();
    const what = `${res.status()} ${res.url()}`;
    assert.deepEqual(cspProblems(h['content-security-policy']), [], `${what}: Content-Security-Policy "${h['content-security-policy']}"`);
    assert.equal(h['x-content-type-options'], 'nosniff', `${what}: X-Content-Type-Options`);
    assert.match(h['content-security-policy'], /frame-ancestors 'none'/, `${what}: frame-ancestors`);
    assert.ok(h['referrer-policy'], `${what}: Referrer-Policy`);
  }
}

/** assertNoInlineCode fails on inline scripts, style blocks, style attributes and event handlers. */
async function assertNoInlineCode(page) {
  const inline = await page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll('script:not([src]), style')) found.push(`<${el.tagName.toLowerCase()}> ${el.textContent.slice(0, 60)}`);
    for (const el of document.querySelectorAll('*')) {
      for (const a of el.attributes) {
        if (a.name === 'style' || a.name.startsWith('on')) found.push(`<${el.tagName.toLowerCase()} ${a.name}="${a.value.slice(0, 60)}">`);
        if (/^\s*javascript:/i.test(a.value) && ['href', 'src', 'action', 'formaction'].includes(a.name)) found.push(`<${el.tagName.toLowerCase()} ${a.name}="${a.value}">`);
      }
    }
    return found;
  });
  assert.deepEqual(inline, [], `inline code on ${page.url()}`);
}

describe('security seen from the browser', () => {
  it('every page a visitor sees has a strict CSP and no inline code', { timeout: 90_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    for (const path of visitorPaths) {
      const res = await page.goto(path);
      await assertSecureHeaders(res);
      await assertNoInlineCode(page);
    }
    // A form answered with errors, too.
    await page.goto('/signup');
    await mainForm(page, '/signup').locator('#email').fill('x');
    await submit(page, mainForm(page, '/signup'));
    await assertNoInlineCode(page);
  });

  it('every page a steward sees has a strict CSP and no inline code', { timeout: 90_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    await login(page, DEMO.steward.email, DEMO.steward.password);
    for (const path of stewardPaths) {
      const res = await page.goto(path);
      await assertSecureHeaders(res);
      await assertNoInlineCode(page);
    }
  });

  it('static files and the API say what they are', async () => {
    const page = await site.newPage();
    for (const [path, type] of [['/static/samen.css', 'text/css'], ['/api/v1/openapi.json', 'application/json'], ['/static/favicon.svg', 'image/svg+xml']]) {
      const res = await page.goto(path);
      assert.equal(res.status(), 200, path);
      assert.ok(res.headers()['content-type'].startsWith(type), `${path}: ${res.headers()['content-type']}`);
      assert.equal(res.headers()['x-content-type-options'], 'nosniff', path);
      assert.ok(res.headers()['content-security-policy'], `${path}: Content-Security-Policy`);
    }
  });

  it('the session cookie is HttpOnly and SameSite, out of reach of scripts', async () => {
    const page = await site.newPage();
    await login(page, DEMO.member.email, DEMO.member.password);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'samen_session');
    assert.ok(session, 'a session cookie after logging in');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Lax');
    assert.equal(session.path, '/');
    assert.doesNotMatch(await page.evaluate(() => document.cookie), /samen_session/);
  });

  it('a form on another site cannot act for a signed-in person', { timeout: 60_000 }, async () => {
    // This context is deliberately not watched: its first page is another
    // site, served by the test itself (nothing leaves the machine).
    const context = await site.browser.newContext({ baseURL: site.url, locale: 'nl-NL' });
    context.setDefaultTimeout(15_000);
    try {
      const page = await context.newPage();
      await login(page, DEMO.steward.email, DEMO.steward.password);
      await context.route('http://elsewhere.test/**', (route) => route.fulfill({
        contentType: 'text/html',
        body: `<!doctype html><title>elsewhere</title>
          <form method="post" action="${site.abs('/account/tokens')}"><input name="token_name" value="planted by elsewhere"><button>go</button></form>
          <iframe src="${site.abs('/account')}" title="samen"></iframe>`,
      }));
      await page.goto('http://elsewhere.test/');

      // Framing is refused: the frame does not show samen.
      const frame = page.frames().find((f) => f !== page.mainFrame());
      assert.ok(frame, 'the iframe exists');
      assert.ok(!frame.url().startsWith(site.origin), `samen was shown in a frame on another site (${frame.url()})`);
      assert.equal(await frame.locator('.site-header').count(), 0, 'samen was shown in a frame on another site');

      // The cross-site post is refused with an explanation.
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === site.abs('/account/tokens')),
        page.locator('form button').click(),
      ]);
      assert.equal(response.status(), 403);
      await page.waitForLoadState('load');
      assert.equal((await page.locator('main h1').innerText()).trim(), t('nl', 'error.title'));
      assert.match(await page.locator('main').innerText(), new RegExp(t('nl', 'error.csrf.origin')));

      // And no token was made.
      await page.goto('/account');
      assert.equal(await page.getByText('planted by elsewhere').count(), 0);
    } finally {
      await context.close();
    }
  });

  it('the watchers do notice requests elsewhere and blocked inline code', { timeout: 60_000 }, async () => {
    // A context with a watcher of its own, so that what is provoked here
    // does not count against the site.
    const context = await site.browser.newContext({ baseURL: site.url });
    context.setDefaultTimeout(15_000);
    const watcher = new Watcher(site.origin);
    watcher.watch(context);
    try {
      await context.route('http://elsewhere.test/**', (route) => route.fulfill({ contentType: 'text/plain', body: 'elsewhere' }));
      const page = await context.newPage();
      await page.goto('/');
      assert.deepEqual(watcher.foreignRequests, []);
      // Inline style and a picture from another host: the CSP blocks both.
      await page.evaluate(() => {
        const style = document.createElement('style');
        style.textContent = 'body { color: red }';
        document.head.append(style);
        const img = document.createElement('img');
        img.alt = '';
        img.src = 'http://elsewhere.test/pixel.png';
        document.body.append(img);
      });
      await page.waitForFunction(() => getComputedStyle(document.body).color !== 'rgb(255, 0, 0)');
      await page.goto('http://elsewhere.test/');
      // Both count: the picture the CSP blocked and the page elsewhere.
      assert.deepEqual(watcher.foreignRequests.map((r) => r.split(' ')[1]), ['http://elsewhere.test/pixel.png', 'http://elsewhere.test/']);
      assert.ok(watcher.cspReports.some((r) => /style/i.test(r)), `no report of the blocked style: ${watcher.cspReports}`);
      assert.ok(watcher.cspReports.some((r) => /img-src|image/i.test(r)), `no report of the blocked image: ${watcher.cspReports}`);
      assert.throws(() => watcher.assertClean());
    } finally {
      await context.close();
    }
  });

  it('no page asked another host for anything', () => {
    // The watchers saw the pages of every test above (and of the login
    // steps); make sure they did see them, then that nothing went elsewhere.
    assert.ok(site.documents.length >= visitorPaths.length + stewardPaths.length,
      `only ${site.documents.length} HTML responses were watched`);
    assert.deepEqual(site.foreignRequests, []);
    assert.deepEqual(site.cspReports, []);
  });
});
