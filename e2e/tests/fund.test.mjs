// Funding together in the browser: axe-core on every page of it in Dutch
// and English (the campaigns, a running campaign with its give form, the
// form sent with errors, the receipt of a demo gift and of a bank
// transfer, the public ledger and one account's part of it), and giving
// by keyboard only and without JavaScript, without an account. The demo
// (internal/demo/fund.go) has a running campaign, found through the API.
// Last, a treasurer starts, launches and writes about a campaign.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  DEMO, LANGUAGES, assertFocusVisible, axe, formErrors, h1, htmlLang, login, mainForm, nameOf, notice, press, pressEnterToSubmit, submit, t,
  tabTo, typeInto, uniqueEmail, useSite,
} from '../lib/samen.mjs';

const site = await useSite();

let campaign; // { id, path, title }
before(async () => {
  const page = await site.newPage();
  const res = await page.request.get('/api/v1/campaigns');
  assert.equal(res.status(), 200);
  const c = (await res.json()).campaigns.find((x) => x.state === 'running');
  assert.ok(c, 'the demo has a running campaign');
  campaign = { id: c.id, path: `/campaigns/${c.id}`, title: c.title };
});

/** give fills the give form on the campaign's page and sends it. */
async function give(page, { amount, email, name = '', method, anonymous = false }) {
  const form = mainForm(page, `${campaign.path}/give`);
  await form.locator('#amount').fill(amount);
  if (email !== undefined) await form.locator('#email').fill(email);
  await form.locator('#name').fill(name);
  if (anonymous) await form.locator('#anonymous').check();
  if (method) await form.locator(`#method-${method}`).check();
  await submit(page, form);
}

describe('axe-core on the funding pages', { concurrency: LANGUAGES.length }, () => {
  for (const lang of LANGUAGES) {
    it(`every page, ${lang === 'nl' ? 'Dutch' : 'English'}`, { timeout: 240_000 }, async () => {
      const page = await site.newPage({ lang });
      const T = (k, v) => t(lang, k, v);
      const check = async (label, heading, expect) => {
        assert.equal(await htmlLang(page), lang, label);
        assert.equal(await h1(page), heading, label);
        if (expect) await expect(page);
        await axe(page, `${label} [${lang}]`);
      };

      await page.goto('/campaigns');
      await check('/campaigns', T('fund.campaigns.title'), async (p) => {
        await p.locator(`main a[href="${campaign.path}"]`).waitFor();
      });

      await page.goto(campaign.path);
      await check('a running campaign', campaign.title, async (p) => {
        assert.equal(await p.locator('main meter').count(), 2, 'the minimum and the goal as meters');
        await mainForm(p, `${campaign.path}/give`).waitFor();
      });

      await submit(page, mainForm(page, `${campaign.path}/give`));
      await check('the give form, sent empty', campaign.title, formErrors(lang, ['amount', 'email', 'name']));

      await page.goto(campaign.path);
      await give(page, { amount: '15', email: uniqueEmail('axe'), name: 'Axe', method: 'demo' });
      await check('the receipt of a demo gift', T('fund.receipt.title'), async (p) => {
        assert.equal((await p.locator('main .lead').innerText()).trim(), T('fund.receipt.status.paid'));
      });

      await page.goto(campaign.path);
      await give(page, { amount: '20', email: uniqueEmail('axe'), method: 'bank', anonymous: true });
      await check('the receipt of a bank transfer', T('fund.receipt.title'), async (p) => {
        assert.match(await p.locator('main').innerText(), /SAMEN-[0-9A-Z]{4}-[0-9A-Z]{4}/);
      });

      await page.goto('/ledger');
      await check('/ledger', T('fund.ledger.title'), async (p) => {
        assert.ok(await p.locator('main table tbody tr').count() > 10, 'the demo ledger has transactions');
      });
      await page.goto(`/ledger?account=${encodeURIComponent(`campaign:${campaign.id}`)}`);
      await check('/ledger of one campaign', T('fund.ledger.title'));
      await page.context().close();
    });
  }
});

describe('giving without an account', { concurrency: 2 }, () => {
  it('by keyboard only (Dutch)', { timeout: 120_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    await page.goto(campaign.path);
    const f = await press(page, 'Tab');
    assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
    assert.equal((await press(page, 'Enter')).tag, 'main');
    await tabTo(page, '#amount');
    await typeInto(page, '12,50');
    await tabTo(page, '#email');
    await typeInto(page, uniqueEmail('toetsenbord'));
    await tabTo(page, '#name');
    await typeInto(page, 'Toetsenbord');
    // The method is a radio group: Tab lands on the chosen one, the arrows
    // move the choice.
    const m = await tabTo(page, 'input[name=method]');
    assertFocusVisible(m);
    if (!(await page.evaluate(() => document.activeElement.value === 'demo'))) {
      for (let i = 0; i < 3 && !(await page.evaluate(() => document.activeElement.value === 'demo')); i++) await press(page, 'ArrowDown');
    }
    assert.equal(await page.evaluate(() => document.activeElement.value), 'demo');
    const button = await tabTo(page, `main form[action="${campaign.path}/give"] button[type=submit]`);
    assertFocusVisible(button);
    await pressEnterToSubmit(page);
    assert.equal(await h1(page), t('nl', 'fund.receipt.title'));
    assert.equal((await page.locator('main .lead').innerText()).trim(), t('nl', 'fund.receipt.status.paid'));
    await page.goto(campaign.path);
    await page.locator('main li', { hasText: 'Toetsenbord' }).first().waitFor();
    await page.context().close();
  });

  it('without JavaScript (English)', { timeout: 120_000 }, async () => {
    const page = await site.newPage({ lang: 'en', javaScriptEnabled: false });
    await page.goto(campaign.path);
    await give(page, { amount: '0.50', email: 'not an address', name: 'No script', method: 'demo' });
    await formErrors('en', ['amount', 'email'])(page);
    assert.equal(await page.locator('#name').inputValue(), 'No script', 'what was typed stays');
    await give(page, { amount: '30', email: uniqueEmail('noscript'), name: 'No script', method: 'bank' });
    assert.equal(await h1(page), t('en', 'fund.receipt.title'));
    const text = await page.locator('main').innerText();
    assert.match(text, /NL20INGB0001234567/);
    assert.ok(text.includes(t('en', 'fund.receipt.status.open')), 'a transfer waits for the statement');
    await page.context().close();
  });
});

// A treasurer's campaign, from the workspace's list to an update to the
// backers: axe on each page on the way (the form, with its errors, the
// draft, the running campaign's form and page) in Dutch and English, and
// the same journey without JavaScript (where axe, a script, cannot run).
const journeys = [...LANGUAGES.map((lang) => ({ lang, js: true })), { lang: 'en', js: false }];
describe("a treasurer's campaign", { concurrency: journeys.length }, () => {
  for (const { lang, js } of journeys) {
    it(`start, launch and write to backers, ${lang === 'nl' ? 'Dutch' : 'English'}${js ? '' : ', without JavaScript'}`, { timeout: 240_000 }, async () => {
      const page = await site.newPage({ lang, javaScriptEnabled: js });
      const T = (k, v) => t(lang, k, v);
      const axeIf = (label) => (js ? axe(page, `${label} [${lang}]`) : undefined);
      await login(page, DEMO.member.email, DEMO.member.password);
      await page.goto('/workspaces');
      const hrefs = await page.locator('main a[href^="/workspaces/"]').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
      const ws = hrefs.find((h) => /^\/workspaces\/[a-z0-9-]+$/.test(h) && h !== '/workspaces/new');
      assert.ok(ws, 'the member has a workspace');

      await page.goto(`${ws}/campaigns`);
      assert.equal(await h1(page), T('fund.workspace.title'));
      await axeIf(`the workspace's campaigns`);
      await Promise.all([page.waitForURL(`**${ws}/campaigns/new`), page.locator(`main a[href="${ws}/campaigns/new"]`).click()]);
      assert.equal(await h1(page), T('fund.form.new_title'));
      await axeIf(`the new campaign form`);

      const form = mainForm(page, `${ws}/campaigns/new`);
      const save = async (f) => {
        await Promise.all([
          page.waitForEvent('framenavigated', { predicate: (fr) => fr === page.mainFrame() }),
          f.locator('.button-row button[type=submit]').click(),
        ]);
        await page.waitForLoadState('load');
      };
      await save(form);
      await formErrors(lang, ['title', 'min', 'goal', 'deadline'])(page);
      await axeIf(`the campaign form with its errors`);

      const title = `${lang === 'nl' ? 'Gereedschapskist' : 'Toolbox'} ${Date.now()}`;
      await form.locator('#title').fill(title);
      await form.locator('#min').fill(lang === 'nl' ? '400' : '400');
      await form.locator('#goal').fill(lang === 'nl' ? '650,00' : '650.00');
      const d = new Date(Date.now() + 20 * 86400_000);
      await form.locator('#deadline').fill(`${d.toISOString().slice(0, 10)}T18:00`);
      await form.locator('[id="lines.0.label"]').fill(lang === 'nl' ? 'Gereedschap' : 'Tools');
      await form.locator('[id="lines.0.cents"]').fill('650');
      await save(form);
      assert.equal(await h1(page), title);
      assert.equal(await notice(page), T('notice.fund_campaign_created'));
      await axeIf(`a draft campaign`);

      const path = new URL(page.url()).pathname;
      await submit(page, mainForm(page, `${path}/launch`));
      assert.equal(await notice(page), T('notice.fund_campaign_launched'));
      await page.goto(`${path}/edit`);
      assert.equal(await page.locator('#min').count(), 0, 'a running campaign keeps its goals');
      await axeIf(`the form of a running campaign`);

      await page.goto(path);
      const update = mainForm(page, `${path}/updates`);
      await update.locator('#update_title').fill(lang === 'nl' ? 'We zijn begonnen' : 'We have started');
      await update.locator('#update_body').fill(lang === 'nl' ? 'Dank aan iedereen die gaf.' : 'Thanks to everyone who gave.');
      await submit(page, update);
      assert.equal(await notice(page), T('notice.fund_update_posted'));
      await page.locator('main article.update').first().waitFor();
      await axeIf(`a campaign with an update`);
      await page.context().close();
    });
  }
});

// The stewards' bank page: axe on it, and on it with a refused file, in
// both languages.
describe("the stewards' bank page", { concurrency: LANGUAGES.length }, () => {
  for (const lang of LANGUAGES) {
    it(`axe-core, ${lang === 'nl' ? 'Dutch' : 'English'}`, { timeout: 120_000 }, async () => {
      const page = await site.newPage({ lang });
      await login(page, DEMO.steward.email, DEMO.steward.password);
      await page.goto('/bank');
      assert.equal(await h1(page), t(lang, 'bank.title'));
      await axe(page, `/bank [${lang}]`);
      const form = mainForm(page, '/bank/statements');
      await form.locator('#file').setInputFiles({ name: 'afschrift.csv', mimeType: 'text/csv', buffer: Buffer.from('datum;bedrag\n2026-12-03;42,50\n') });
      await submit(page, form);
      await formErrors(lang, ['file'])(page);
      await axe(page, `/bank with a refused file [${lang}]`);
      await page.context().close();
    });
  }
});
