// Expenses in the browser: axe-core on the demo workspace's expenses (the
// list with its form, the form sent empty, a pending expense with its
// receipt and the treasurer's forms, the rejection sent without a reason)
// in Dutch and English; and a journey by keyboard only and one without
// JavaScript: the demo moderator (members circle) submits an expense with a
// receipt, the demo member (core team, so treasurer) approves it. The demo
// (internal/demo/fund.go) has expenses in every state, two with a receipt;
// they and the workspace are found through the API.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import {
  DEMO, LANGUAGES, assertFocusVisible, axe, formErrors, h1, htmlLang, login, mainForm, nameOf, notice, press, pressEnterToSubmit, submit, t,
  tabTo, typeInto, uniqueWord, useSite,
} from '../lib/samen.mjs';

const site = await useSite();

// A receipt as a scanner writes one: what matters is that its bytes say
// PDF (samen looks at the bytes, never at the name).
const RECEIPT = {
  name: 'bon-bouwmarkt.pdf',
  mimeType: 'application/pdf',
  buffer: Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n% Bouwmarkt Noord, schroeven 12,50\n%%EOF\n'),
};

const ws = {}; // slug, list: the demo workspace and its expenses page
const demo = {}; // path, title: the demo's pending expense with a receipt

/** signedIn opens a context in lang signed in as one of the demo accounts. */
async function signedIn(who, lang, options = {}) {
  const page = await site.newPage({ lang, ...options });
  await login(page, DEMO[who].email, DEMO[who].password);
  return page;
}

async function apiGet(page, path) {
  const res = await page.request.get(path);
  assert.equal(res.status(), 200, `GET ${path}: ${res.status()} ${await res.text()}`);
  return res.json();
}

before(async () => {
  const page = await signedIn('member', 'nl');
  const core = (await apiGet(page, '/api/v1/workspaces')).workspaces.find((w) => w.circle === 'core');
  assert.ok(core, 'the demo member is the core team of a workspace');
  Object.assign(ws, { slug: core.slug, list: `/workspaces/${core.slug}/expenses` });
  const { expenses } = await apiGet(page, `/api/v1/workspaces/${core.slug}/expenses`);
  const e = expenses.find((x) => x.state === 'pending' && x.files.length > 0);
  assert.ok(e, `the demo has a pending expense with a receipt: ${JSON.stringify(expenses.map((x) => [x.state, x.files.length]))}`);
  Object.assign(demo, { path: `/expenses/${e.id}`, title: e.title });
  await page.context().close();
});

describe('axe-core on the expenses pages', { concurrency: LANGUAGES.length }, () => {
  for (const lang of LANGUAGES) {
    it(`${lang === 'nl' ? 'Dutch' : 'English'}`, { timeout: 90_000 }, async () => {
      const page = await signedIn('member', lang);
      const T = (k, v) => t(lang, k, v);
      const check = async (label, heading, expect) => {
        assert.equal(await htmlLang(page), lang, label);
        assert.equal(await h1(page), heading, label);
        if (expect) await expect(page);
        await axe(page, `${label} [${lang}]`);
      };

      await page.goto(ws.list);
      await check('the expenses', T('expense.list.title'), async (p) => {
        await p.locator(`main a[href="${demo.path}"]`).waitFor();
        await mainForm(p, ws.list).waitFor();
        await mainForm(p, `${ws.list}/approvals`).waitFor();
      });
      await submit(page, mainForm(page, ws.list));
      await check('the form sent empty', T('expense.list.title'), formErrors(lang, ['amount', 'payee', 'title']));

      await page.goto(demo.path);
      await check('a pending expense', demo.title, async (p) => {
        await p.locator('main a[href^="/expenses/"][href*="/files/"]').waitFor();
        await mainForm(p, `${demo.path}/approve`).waitFor();
      });
      await submit(page, mainForm(page, `${demo.path}/reject`));
      await check('a rejection without a reason', demo.title, formErrors(lang, ['reason']));
      await page.context().close();
    });
  }
});

/** approvedBy checks the page a treasurer's approval led to: the notice, the state, and who approved. */
async function approvedBy(page, lang, path) {
  assert.equal(await notice(page), t(lang, 'notice.expense_approved'));
  assert.ok((await page.locator('main .lead').innerText()).includes(t(lang, 'expense.state.approved')), `${path} is approved`);
  assert.equal(await page.locator('main section[aria-labelledby="approved-title"] li').count(), 1, 'one approval, with who gave it');
}

describe('an expense submitted and approved', { concurrency: 2 }, () => {
  it('by keyboard only (Dutch)', { timeout: 90_000 }, async () => {
    const lang = 'nl';
    const title = `Schroeven ${uniqueWord()}`;
    const page = await signedIn('moderator', lang);
    await page.goto(ws.list);
    let f = await press(page, 'Tab');
    assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
    assert.equal((await press(page, 'Enter')).tag, 'main');
    await tabTo(page, '#title');
    await typeInto(page, title);
    await tabTo(page, '#amount');
    await typeInto(page, '12,50');
    // A budget line: the arrows move through the choices of the select.
    await tabTo(page, '#line');
    await press(page, 'ArrowDown');
    await press(page, 'ArrowDown');
    assert.match(await page.evaluate(() => document.activeElement.value), /^\d+:\d+$/, 'the arrows chose a budget line');
    await tabTo(page, '#payee');
    await typeInto(page, 'Bouwmarkt Noord');
    await tabTo(page, '#iban');
    await typeInto(page, 'NL91 ABNA 0417 1643 00');
    // The receipt: the field takes focus like any other; the file comes
    // from the system's file chooser, which is not the page's to test.
    f = await tabTo(page, '#files');
    assertFocusVisible(f);
    await page.locator('#files').setInputFiles(RECEIPT);
    const send = await tabTo(page, `main form[action="${ws.list}"] button[value=submit]`);
    assertFocusVisible(send);
    await pressEnterToSubmit(page);
    assert.equal(await h1(page), title);
    assert.equal(await notice(page), t(lang, 'notice.expense_submitted'));
    const path = new URL(page.url()).pathname;
    await page.locator(`main a[href^="${path}/files/"]`, { hasText: RECEIPT.name }).waitFor();
    // The moderator is no treasurer: nothing to approve here.
    assert.equal(await mainForm(page, `${path}/approve`).count(), 0);

    const treasurer = await signedIn('member', lang);
    await treasurer.goto(path);
    await press(treasurer, 'Tab');
    await press(treasurer, 'Enter');
    const approve = await tabTo(treasurer, `main form[action="${path}/approve"] button`);
    assertFocusVisible(approve);
    await pressEnterToSubmit(treasurer);
    await approvedBy(treasurer, lang, path);
    await page.context().close();
    await treasurer.context().close();
  });

  it('without JavaScript (English)', { timeout: 90_000 }, async () => {
    const lang = 'en';
    const title = `Paint ${uniqueWord()}`;
    const page = await signedIn('moderator', lang, { javaScriptEnabled: false });
    await page.goto(ws.list);
    const form = mainForm(page, ws.list);
    await form.locator('#title').fill(title);
    await form.locator('#amount').fill('24,5x');
    await form.locator('#payee').fill('Verfwinkel Noord');
    await form.locator('#iban').fill('NL00 BANK 0000 0000 00');
    await form.locator('#files').setInputFiles(RECEIPT);
    await submit(page, form);
    await formErrors(lang, ['amount', 'iban'])(page);
    assert.equal(await page.locator('#title').inputValue(), title, 'what was typed stays');
    assert.ok((await page.locator('#files-hint').innerText()).includes(t(lang, 'expense.form.files_again')), 'the receipt is to be chosen again');

    await form.locator('#amount').fill('24.50');
    await form.locator('#iban').fill('NL91 ABNA 0417 1643 00');
    await form.locator('#files').setInputFiles(RECEIPT);
    await submit(page, form);
    assert.equal(await h1(page), title);
    const path = new URL(page.url()).pathname;
    await page.locator(`main a[href^="${path}/files/"]`).waitFor();

    const treasurer = await signedIn('member', lang, { javaScriptEnabled: false });
    await treasurer.goto(path);
    assert.ok((await treasurer.locator('main').innerText()).includes('NL91ABNA0417164300'), 'the treasurer sees where the money goes');
    await submit(treasurer, mainForm(treasurer, `${path}/approve`));
    await approvedBy(treasurer, lang, path);
    await page.context().close();
    await treasurer.context().close();
  });
});
