// Match pools in the browser: axe-core on the list, on the demo's pool as a
// visitor sees it and as its manager does (with a simulation's outcome), and
// on the form that sets up a pool (empty, and sent with its errors), in
// Dutch and English; a campaign's treasurer applying to a pool and its
// manager accepting, by keyboard only; and applying without JavaScript. The
// demo (internal/demo/fund.go) has a pool with an accepted campaign and the
// running campaign's application waiting; the journeys apply that running
// campaign to pools of their own, set up through the API. One samen for
// the whole file.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  DEMO, LANGUAGES, assertFocusVisible, axe, formErrors, h1, htmlLang, login, mainForm, nameOf, notice, press, pressEnterToSubmit, submit, t,
  tabTo, typeInto, useSite,
} from '../lib/samen.mjs';

const site = await useSite();

let pool; // the demo's: { path, name }
let campaign; // the demo's running campaign: { id, title }
before(async () => {
  const page = await site.newPage();
  const pools = (await (await page.request.get('/api/v1/pools')).json()).pools;
  assert.equal(pools.length, 1, 'the demo has one pool');
  pool = { path: `/pools/${pools[0].id}`, name: pools[0].name };
  const c = (await (await page.request.get('/api/v1/campaigns')).json()).campaigns.find((x) => x.state === 'running');
  assert.ok(c, 'the demo has a running campaign');
  campaign = { id: c.id, title: c.title };
  await page.context().close();
});

/** signedIn opens a page in lang signed in as a demo account. */
async function signedIn(who, lang, options = {}) {
  const page = await site.newPage({ lang, ...options });
  await login(page, DEMO[who].email, DEMO[who].password);
  return page;
}

/**
 * openPool sets up an open pool with one funded funder through the API, as
 * the steward, and returns its path.
 */
async function openPool(name) {
  const page = await site.stewardPage('nl');
  const send = async (path, data, want) => {
    const res = await page.request.post(path, { data });
    assert.equal(res.status(), want, `POST ${path}: ${res.status()} ${await res.text()}`);
    return res.json();
  };
  const p = await send('/api/v1/pools', { name, language: 'nl', rule: 'duplicate', factor: '1', funders: ['Stadsdeel Noord'] }, 201);
  await send(`/api/v1/pools/${p.id}/deposits`, { funder_id: p.funders[0].id, cents: 100000 }, 200);
  await send(`/api/v1/pools/${p.id}/state`, { to: 'open' }, 200);
  return `/pools/${p.id}`;
}

describe('axe-core on the pools\' pages', { concurrency: LANGUAGES.length }, () => {
  for (const lang of LANGUAGES) {
    it(`every page, ${lang === 'nl' ? 'Dutch' : 'English'}`, { timeout: 120_000 }, async () => {
      const T = (k, v) => t(lang, k, v);
      const check = async (page, label, heading) => {
        assert.equal(await htmlLang(page), lang, label);
        assert.equal(await h1(page), heading, label);
        await axe(page, `${label} [${lang}]`);
      };

      const visitor = await site.newPage({ lang });
      await visitor.goto('/campaigns');
      await Promise.all([visitor.waitForURL('**/pools'), visitor.locator('main a[href="/pools"]').click()]);
      await visitor.locator(`main a[href="${pool.path}"]`).waitFor();
      await check(visitor, '/pools', T('pool.list.title'));
      await visitor.goto(pool.path);
      await check(visitor, 'a pool, as a visitor', pool.name);
      assert.equal(await visitor.locator('main .manage').count(), 0, 'a visitor does not manage the pool');
      await visitor.context().close();

      const chief = await signedIn('steward', lang);
      await chief.goto(pool.path);
      await chief.locator('main .manage').getByText(campaign.title).waitFor();
      await check(chief, 'a pool, as its manager', pool.name);
      const sim = mainForm(chief, `${pool.path}/simulate#simulation-result`);
      await sim.locator('#simulation').fill(JSON.stringify({ contributions: [
        { id: 'c1', project: 'tuin', contributor: 'ann', cents: 2500 }, { id: 'c2', project: 'tuin', contributor: 'bob', cents: 9000 }] }));
      await submit(chief, sim);
      await chief.locator('#simulation-result table').first().waitFor();
      await check(chief, 'a simulation\'s outcome', pool.name);

      await chief.goto('/pools/new');
      await check(chief, 'the form for a new pool', T('pool.new.title'));
      const form = mainForm(chief, '/pools/new');
      await form.locator('#factor').fill('');
      await submit(chief, form);
      await formErrors(lang, ['name', 'factor', 'funders'])(chief);
      await check(chief, 'the form for a new pool, with its errors', T('pool.new.title'));
      await chief.context().close();
    });
  }
});

describe('applying and accepting', { concurrency: 2 }, () => {
  it('by keyboard only (Dutch)', { timeout: 120_000 }, async () => {
    const lang = 'nl';
    const T = (k, v) => t(lang, k, v);
    const path = await openPool('Toetsenbordpot');

    const member = await signedIn('member', lang);
    await member.goto(path);
    const f = await press(member, 'Tab');
    assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
    assert.equal((await press(member, 'Enter')).tag, 'main');
    // The campaign is a select: the arrows choose, without opening it.
    assertFocusVisible(await tabTo(member, '#campaign'));
    for (let i = 0; i < 5 && await member.evaluate(() => document.activeElement.value) !== String(campaign.id); i++) await press(member, 'ArrowDown');
    assert.equal(await member.evaluate(() => document.activeElement.value), String(campaign.id), 'the running campaign, chosen by keyboard');
    await tabTo(member, '#apply_note');
    await typeInto(member, 'Voor de buurt.');
    await tabTo(member, `main form[action="${path}/apply"] button[type=submit]`);
    await pressEnterToSubmit(member);
    assert.equal(await notice(member), T('notice.pool_applied'));
    await member.context().close();

    const chief = await signedIn('steward', lang);
    await chief.goto(path);
    await press(chief, 'Tab');
    await press(chief, 'Enter');
    const accept = `main form[action="${path}/decide"] button[value=accept]`;
    assertFocusVisible(await tabTo(chief, accept, 80));
    await pressEnterToSubmit(chief);
    assert.equal(await notice(chief), T('notice.pool_accepted'));
    await chief.locator('#campaigns').getByRole('link', { name: campaign.title }).waitFor();
    assert.equal(await chief.locator(accept).count(), 0, 'no application waits any more');
    await chief.context().close();
  });

  it('applying without JavaScript (English)', { timeout: 120_000 }, async () => {
    const lang = 'en';
    const path = await openPool('No script pot');
    const member = await signedIn('member', lang, { javaScriptEnabled: false });
    await member.goto(path);
    const form = mainForm(member, `${path}/apply`);
    await form.locator('#apply_note').fill('Without a campaign chosen');
    await submit(member, form);
    await formErrors(lang, ['campaign'])(member);
    assert.equal(await member.locator('#apply_note').inputValue(), 'Without a campaign chosen', 'what was typed stays');
    await form.locator('#campaign').selectOption(String(campaign.id));
    await submit(member, form);
    assert.equal(await notice(member), t(lang, 'notice.pool_applied'));
    assert.ok((await member.locator('#apply').innerText()).includes(t(lang, 'pool.apply.none')), 'the campaign has applied');
    await member.context().close();
  });
});
