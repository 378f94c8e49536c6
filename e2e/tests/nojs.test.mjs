// samen works without JavaScript: sign up, confirm, log in, switch the
// language and log out in a browser that runs no scripts at all; and the
// atlas: its list and filters, and a proposal that a moderator accepts.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO, countIn, demoInitiatives, h1, htmlLang, login, mainForm, useSite, submit, t, uniqueEmail, uniqueWord,
} from '../lib/samen.mjs';

const site = await useSite();

test('sign up and log in with JavaScript turned off', { timeout: 120_000 }, async () => {
  const context = await site.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  const email = uniqueEmail('nojs');
  const password = 'no scripts were harmed here';

  await page.goto('/');
  // Really off: a script could not even set a variable.
  assert.equal(await page.locator('noscript, script').count(), 0, 'pages need no scripts');

  await page.locator(`nav[aria-label="${t('nl', 'layout.nav_user')}"]`).getByRole('link', { name: t('nl', 'nav.signup') }).click();
  await page.waitForURL('**/signup');
  const form = mainForm(page, '/signup');
  await form.getByLabel(t('nl', 'form.email')).fill(email);
  await form.getByLabel(t('nl', 'form.password')).fill(password);
  await submit(page, form);
  assert.equal(await h1(page), t('nl', 'signup.done_title'));

  // The verification link, read from the outbox by the steward.
  await page.goto(await site.verifyLinkFor(email));
  assert.equal(new URL(page.url()).pathname, '/login');
  assert.equal((await page.getByRole('status').innerText()).trim(), t('nl', 'notice.verified'));

  const login = mainForm(page, '/login');
  await login.getByLabel(t('nl', 'form.email')).fill(email);
  await login.getByLabel(t('nl', 'form.password')).fill(password);
  await submit(page, login);
  assert.equal(new URL(page.url()).pathname, '/');

  await page.goto('/account');
  assert.equal(await h1(page), t('nl', 'account.title'));
  assert.match(await page.locator('main').innerText(), new RegExp(email.replace(/[.]/g, '\\.')));

  // Forms on the account page work too: create an API token.
  const tokens = mainForm(page, '/account/tokens');
  await tokens.getByLabel(t('nl', 'account.token_name')).fill('no-js script');
  await submit(page, tokens);
  assert.match(await page.locator('main .secret input').inputValue(), /^samen_/);

  // The language switch is a plain link.
  await page.goto('/account');
  await page.locator(`nav[aria-label="${t('nl', 'layout.nav_language')}"]`).getByRole('link', { name: 'English' }).click();
  await page.waitForURL('**/account');
  assert.equal(await htmlLang(page), 'en');
  assert.equal(await h1(page), t('en', 'account.title'));

  // Log out with the button in the header: a plain form.
  await Promise.all([
    page.waitForURL((u) => u.searchParams.get('notice') === 'logged_out'),
    page.locator('header').getByRole('button', { name: t('en', 'nav.logout') }).click(),
  ]);
  assert.equal((await page.getByRole('status').innerText()).trim(), t('en', 'notice.logged_out'));
  await page.locator(`nav[aria-label="${t('en', 'layout.nav_user')}"]`).getByRole('link', { name: t('en', 'nav.login') }).waitFor();
  await page.goto('/account');
  assert.equal(new URL(page.url()).pathname, '/login');

  // And the logout confirmation page, for those who arrive by link.
  await page.goto('/login');
  await mainForm(page, '/login').getByLabel(t('en', 'form.email')).fill(email);
  await mainForm(page, '/login').getByLabel(t('en', 'form.password')).fill(password);
  await submit(page, mainForm(page, '/login'));
  await page.goto('/logout');
  assert.equal(await h1(page), t('en', 'logout.title'));
  await submit(page, page.locator('main form[action="/logout"]'));
  assert.equal(new URL(page.url()).searchParams.get('notice'), 'logged_out');
  assert.equal((await context.cookies()).filter((c) => c.name === 'samen_session').length, 0);
});

test('the atlas with JavaScript turned off: the list, the filters, no map', { timeout: 60_000 }, async () => {
  const page = await site.newPage({ javaScriptEnabled: false });
  await page.goto('/atlas');
  assert.equal(await h1(page), t('nl', 'atlas.title'));
  // Every demo initiative (and, on a shared database, what earlier runs
  // added), twenty to a page.
  const total = countIn('nl', 'atlas.results.other', await page.locator('#result-count').innerText());
  assert.ok(total >= demoInitiatives.length, `${total} initiatives listed`);
  assert.equal(await page.locator('main .results > li').count(), 20, 'the first page lists twenty');
  // The map needs its script: without it, its section stays hidden and
  // nothing on the page points into it.
  const map = page.locator('.map-panel');
  assert.equal(await map.getAttribute('hidden'), '');
  assert.equal(await map.isVisible(), false);
  assert.equal(await page.locator('.map-cluster, .map-point, .maplibregl-map').count(), 0);

  // Tick one value of a facet and send the filter form.
  const form = mainForm(page, '/atlas');
  const sectors = form.getByRole('group', { name: t('nl', 'atlas.facet.sector'), exact: true });
  const energy = demoInitiatives.filter((i) => i.sectors.includes('energy'));
  await sectors.getByLabel(`${t('nl', 'atlas.sector.energy')} (${energy.length})`, { exact: true }).check();
  await submit(page, form);
  assert.deepEqual(new URL(page.url()).searchParams.getAll('sector'), ['energy']);
  assert.equal((await page.locator('#result-count').innerText()).trim(), t('nl', 'atlas.results.other', { n: energy.length }));
  assert.deepEqual((await page.locator('main .results h3 a').allInnerTexts()).sort(), energy.map((i) => i.name).sort());
  assert.equal(await mainForm(page, '/atlas').locator('#f-sector-energy').isChecked(), true);

  // The pager is a plain link too: a search with more than one page.
  await page.goto('/atlas?order=name');
  await page.getByRole('link', { name: t('nl', 'list.next') }).click();
  await page.waitForURL((u) => u.searchParams.get('page') === '2');
  assert.equal(await page.locator('main .results > li').count(), Math.min(20, total - 20));
  await page.context().close();
});

test('propose an initiative and accept it with JavaScript turned off', { timeout: 120_000 }, async () => {
  const word = uniqueWord();
  const name = `Zeilmakerij ${word}`;

  // The member proposes it.
  const member = await site.newPage({ javaScriptEnabled: false });
  await login(member, DEMO.member.email, DEMO.member.password);
  await member.goto('/atlas');
  await member.getByRole('link', { name: t('nl', 'atlas.propose') }).click();
  await member.waitForURL('**/atlas/new');
  const form = mainForm(member, '/atlas/new');
  await form.getByLabel(t('nl', 'atlas.field.name'), { exact: true }).fill(name);
  await form.getByLabel(t('nl', 'atlas.field.summary_nl')).fill('Werkplaats waar buren samen zeilen en tentdoek herstellen.');
  await form.getByLabel(t('nl', 'atlas.sector.circular'), { exact: true }).check();
  await form.getByLabel(t('nl', 'atlas.field.latitude')).fill('52.3791');
  await form.getByLabel(t('nl', 'atlas.field.longitude')).fill('4.8822');
  await submit(member, form);
  assert.match(new URL(member.url()).pathname, /^\/atlas\/\d+$/);
  assert.equal((await member.getByRole('status').innerText()).trim(), t('nl', 'notice.initiative_proposed'));
  assert.equal(await h1(member), name);

  // A visitor does not find it yet.
  const visitor = await site.newPage({ javaScriptEnabled: false });
  await visitor.goto(`/atlas?q=${word}`);
  assert.equal(await visitor.locator('main .results').count(), 0);
  assert.equal((await visitor.locator('#result-count').innerText()).trim(), t('nl', 'atlas.results.other', { n: 0 }));

  // The moderator accepts it.
  const moderator = await site.newPage({ javaScriptEnabled: false });
  await login(moderator, DEMO.moderator.email, DEMO.moderator.password);
  await moderator.goto('/moderation');
  const item = moderator.locator('main .queue-item').filter({ has: moderator.getByRole('link', { name, exact: true }) });
  assert.equal(await item.count(), 1);
  await submit(moderator, item.locator('form').filter({ has: moderator.locator('input[name=decision][value=accept]') }));
  assert.equal((await moderator.getByRole('status').innerText()).trim(), t('nl', 'notice.revision_accepted'));

  // Now the visitor finds it with the search form.
  await visitor.goto('/atlas');
  await mainForm(visitor, '/atlas').getByLabel(t('nl', 'atlas.search')).fill(word);
  await submit(visitor, mainForm(visitor, '/atlas'));
  assert.deepEqual(await visitor.locator('main .results h3 a').allInnerTexts(), [name]);
  await visitor.getByRole('link', { name, exact: true }).click();
  await visitor.waitForURL(/\/atlas\/\d+$/);
  assert.equal(await h1(visitor), name);
  for (const p of [member, visitor, moderator]) await p.context().close();
});
