// Keyboard only: everything here is done with Tab, Shift+Tab, typing and
// Enter, from a fresh page load. Each element that gets focus must show it.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO, assertFocusVisible, autofocused, demoInitiatives, h1, login, nameOf, press, pressEnterToSubmit, tabTo, typeInto, useSite, t,
  uniqueEmail, walk,
} from '../lib/samen.mjs';

const site = await useSite();

describe('keyboard only', () => {
  it('signs up with Tab, Shift+Tab, typing and Enter', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    await page.goto('/signup');

    // The first Tab reaches the skip link, which appears on the screen.
    let f = await press(page, 'Tab');
    assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
    assert.equal(f.text, t('nl', 'layout.skip'));
    assertFocusVisible(f);

    // Enter on it moves focus to <main>.
    f = await press(page, 'Enter');
    assert.equal(f.tag, 'main', `after the skip link, focus is on ${nameOf(f)}`);
    assert.equal(new URL(page.url()).hash, '#main');

    // The next Tab goes into the form: the e-mail field first.
    f = await press(page, 'Tab');
    assert.equal(f.id, 'email', `first Tab in main reached ${nameOf(f)}`);
    assertFocusVisible(f);
    assert.deepEqual(f.describedBy.split(' '), ['email-hint']);
    const email = uniqueEmail('keyboard');
    await typeInto(page, email);

    f = await press(page, 'Tab');
    assert.equal(f.id, 'name');
    assertFocusVisible(f);
    await typeInto(page, 'Kees Keyboard');

    // Shift+Tab goes back, Tab forward again: what was typed stays.
    f = await press(page, 'Shift+Tab');
    assert.equal(f.id, 'email');
    assertFocusVisible(f);
    assert.equal(await page.locator('#email').inputValue(), email);
    f = await press(page, 'Tab');
    assert.equal(f.id, 'name');
    f = await press(page, 'Tab');
    assert.equal(f.id, 'password');
    assertFocusVisible(f);
    await typeInto(page, 'typing is all I need today');

    // The submit button comes next and shows its focus too...
    f = await press(page, 'Tab');
    assert.equal(f.tag, 'button');
    assert.equal(f.text, t('nl', 'signup.submit'));
    assertFocusVisible(f);
    // ...but Enter in the password field is enough to send the form.
    f = await press(page, 'Shift+Tab');
    assert.equal(f.id, 'password');
    await pressEnterToSubmit(page);
    assert.equal(await h1(page), t('nl', 'signup.done_title'));
    assert.match(await page.locator('main').innerText(), new RegExp(email.replace(/[.]/g, '\\.')));
  });

  it('leads from the error summary to each field with a problem', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    await page.goto('/signup');
    await press(page, 'Tab'); // skip link
    await press(page, 'Enter'); // to main
    let f = await press(page, 'Tab');
    assert.equal(f.id, 'email');
    await typeInto(page, 'not-an-address');
    await press(page, 'Tab'); // name: stays empty
    f = await press(page, 'Tab');
    assert.equal(f.id, 'password');
    await typeInto(page, 'short');
    await pressEnterToSubmit(page);
    assert.equal(await h1(page), t('en', 'signup.title'));

    // The summary: an alert with a heading and one link per field in error,
    // and focus is moved there, so it is read first.
    const summary = page.locator('main .error-summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    assert.equal((await summary.locator('h2').innerText()).trim(), t('en', 'form.error_summary'));
    f = await autofocused(page);
    assert.ok(f.cls.includes('error-summary'), `after a failed submit, focus is on ${nameOf(f)}, not the error summary`);
    assertFocusVisible(f);
    const links = await summary.locator('a').evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.innerText.trim() })));
    assert.deepEqual(links.map((l) => l.href), ['#email', '#password']);

    // Each invalid field says so, and its message is what the summary links
    // say; the typed address is kept, the password is not.
    for (const { href, text } of links) {
      const input = page.locator(href);
      assert.equal(await input.getAttribute('aria-invalid'), 'true', `${href} has aria-invalid`);
      const ids = (await input.getAttribute('aria-describedby') ?? '').split(/\s+/);
      const errorId = `${href.slice(1)}-error`;
      assert.ok(ids.includes(errorId), `${href} aria-describedby (${ids}) includes ${errorId}`);
      for (const id of ids) assert.equal(await page.locator(`#${id}`).count(), 1, `${href} describedby #${id} exists`);
      assert.equal((await page.locator(`#${errorId}`).innerText()).trim(), text);
    }
    assert.equal(await page.locator('#email').inputValue(), 'not-an-address');
    assert.equal(await page.locator('#password').inputValue(), '');
    assert.equal(await page.locator('#name').getAttribute('aria-invalid'), null);
    assert.equal((await page.locator('#email-error').innerText()).trim(), t('en', 'field.email.invalid'));
    assert.equal((await page.locator('#password-error').innerText()).trim(), t('en', 'field.password.too_short'));

    // From the summary, Tab reaches the first link; Enter puts the cursor in
    // that field, ready to correct it.
    f = await press(page, 'Tab');
    assert.equal(f.href, '#email');
    assertFocusVisible(f);
    f = await press(page, 'Enter');
    assert.equal(f.id, 'email', `the summary link led to ${nameOf(f)}`);
    assertFocusVisible(f);

    // Correct both fields by keyboard and send again.
    await page.keyboard.press('ControlOrMeta+a');
    await typeInto(page, uniqueEmail('corrected'));
    await tabTo(page, '#password');
    await typeInto(page, 'a much longer password now');
    await pressEnterToSubmit(page);
    assert.equal(await h1(page), t('en', 'signup.done_title'));
  });

  it('puts focus on the alert when a login is refused', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    await page.goto('/login');
    await press(page, 'Tab'); // skip link
    await press(page, 'Enter'); // to main
    let f = await press(page, 'Tab');
    assert.equal(f.id, 'email');
    await typeInto(page, uniqueEmail('refused'));
    f = await press(page, 'Tab');
    assert.equal(f.id, 'password');
    await typeInto(page, 'certainly not the password');
    await pressEnterToSubmit(page);
    f = await autofocused(page);
    assert.ok(f.cls.includes('error-summary'), `after a refused login, focus is on ${nameOf(f)}, not the alert`);
    assertFocusVisible(f);
    assert.equal(f.text, t('nl', 'error.login.credentials'));
    // The next Tab goes on to the form, with the address kept.
    f = await press(page, 'Tab');
    assert.equal(f.id, 'email');
    assert.match(await page.locator('#email').inputValue(), /^refused-/);
  });

  describe('every Tab stop shows its focus', () => {
    // The atlas pages: the directory once its map is drawn (the groups and
    // places on it are Tab stops too), an initiative, the proposal form and
    // the moderators' queue.
    const mapDrawn = (page) => page.locator('.map-panel .map-cluster').first().waitFor();
    const initiative = async () => `/atlas/${await site.initiativeId(demoInitiatives[0].name)}`;
    const pages = [
      { path: '/', as: 'visitor' },
      { path: '/signup', as: 'visitor' },
      { path: '/login', as: 'visitor' },
      { path: '/password/forgot', as: 'visitor' },
      { path: '/account', as: 'steward' },
      { path: '/admin/people', as: 'steward' },
      { path: '/admin/audit', as: 'steward' },
      { path: '/atlas', as: 'visitor', ready: mapDrawn, max: 300 },
      { path: '/atlas/{id}', open: initiative, as: 'visitor' },
      { path: '/atlas/{id}', open: initiative, as: 'member' },
      { path: '/atlas/new', as: 'member', max: 300 },
      { path: '/moderation', as: 'moderator' },
    ];
    const accounts = { steward: DEMO.steward, member: DEMO.member, moderator: DEMO.moderator };
    for (const { path, open, as, ready, max } of pages) {
      it(`${path} (${as})`, { timeout: 90_000 }, async () => {
        const page = await site.newPage({ lang: 'nl' });
        if (accounts[as]) await login(page, accounts[as].email, accounts[as].password);
        await page.goto(open ? await open() : path);
        if (ready) await ready(page);
        const stops = await walk(page, max);
        assert.ok(stops.length > 5, `only ${stops.length} Tab stops on ${path}`);
        assert.equal(stops[0].cls, 'skip-link');
        // Header, then main, then footer: the order follows the page.
        const order = await page.evaluate(() => {
          const all = [...document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea')];
          return all.map((el) => (el.closest('.site-header') ? 'header' : el.closest('main') ? 'main' : el.closest('.site-footer') ? 'footer' : 'other'));
        });
        const firstMain = order.indexOf('main');
        const lastHeader = order.lastIndexOf('header');
        assert.ok(firstMain === -1 || lastHeader < firstMain, 'the header comes before main in the Tab order');
        await page.context().close();
      });
    }
  });
});
