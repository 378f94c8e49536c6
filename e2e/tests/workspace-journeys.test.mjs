// Four journeys through a workspace, each once by keyboard only and once
// without JavaScript: an invitation sent by the core team and accepted by
// someone who signs up for it; a request to join, accepted into the
// supporters; the member portal (one's own record corrected, a consent
// given, one's shares and fees); and an import of the register from a
// spreadsheet with a mistake in it. axe-core on the workspace pages is in
// workspace-pages.test.mjs; lib/workspace.mjs sets up the demo workspace
// for both.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertFocusVisible, autofocused, h1, mainForm, nameOf, notice, press, pressEnterToSubmit, submit, t, tabTo, typeInto, uniqueEmail, uniqueWord, walk,
} from '../lib/samen.mjs';
import { CONSENT_TEXT, brokenRow, importFile, invite, newAccount, signedIn, site, ws } from '../lib/workspace.mjs';

// ---------------------------------------------------------------------------
// Keyboard only.

/** tabNext presses Tab once and checks that focus lands on selector. */
async function tabNext(page, selector) {
  const f = await press(page, 'Tab');
  assertFocusVisible(f);
  assert.ok(await page.evaluate((s) => document.activeElement.matches(s), selector), `one Tab on, focus is on ${nameOf(f)}, not ${selector}`);
  return f;
}

/** follow presses Enter on the focused link or button and waits for the page it leads to. */
const follow = pressEnterToSubmit;

/** arrowTo presses an arrow key in a radio group until selector is chosen. */
async function arrowTo(page, selector, key = 'ArrowDown', max = 6) {
  for (let i = 0; i < max && !(await page.locator(selector).isChecked()); i++) assertFocusVisible(await press(page, key));
  assert.equal(await page.locator(selector).isChecked(), true, `${max} presses of ${key} did not choose ${selector}`);
  assert.ok(await page.evaluate((s) => document.activeElement.matches(s), selector), `focus is on ${selector}`);
}

/** chooseFile opens the focused file input with Space and picks file in the chooser. */
async function chooseFile(page, file) {
  const chooser = page.waitForEvent('filechooser');
  await page.keyboard.press('Space');
  await (await chooser).setFiles(file);
}

/** fresh loads path and goes past the skip link into <main>, as a keyboard user would. */
async function fresh(page, path) {
  await page.goto(path);
  const f = await press(page, 'Tab');
  assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
  assert.equal((await press(page, 'Enter')).tag, 'main');
}

describe('workspaces, keyboard only', () => {
  const lang = 'nl';
  const T = (key, vars) => t(lang, key, vars);

  it('every Tab stop shows its focus, and none traps it, on the busiest pages', { timeout: 120_000 }, async () => {
    const page = await signedIn('member', lang);
    for (const path of [`${ws.base}/members`, ws.people.get('Kees Jansen'), `${ws.base}/invite`, `${ws.base}/shares`, ws.participations.get('Mia Member')]) {
      await page.goto(path);
      const stops = await walk(page, 250);
      assert.ok(stops.length > 10, `only ${stops.length} Tab stops on ${path}`);
      assert.equal(stops[0].cls, 'skip-link', `${path}: the skip link comes first`);
    }
    await page.context().close();
  });

  it('invite: core invites an address; the invitee signs up, logs in and accepts', { timeout: 120_000 }, async () => {
    const core = await signedIn('member', lang);
    const email = uniqueEmail('kbd-invitee');
    await fresh(core, `${ws.base}/invite`);
    await tabTo(core, '#email');
    await typeInto(core, email);
    // Into the circles: Tab reaches the group, the arrows choose.
    await tabTo(core, 'input[name=circle][type=radio]');
    await arrowTo(core, '#circle-members');
    await tabNext(core, `form[action="${ws.base}/invite/send"] button[type=submit]`);
    await follow(core);
    assert.equal(await notice(core), T('notice.ws_invited'));
    assert.match(await core.locator('main').innerText(), new RegExp(email.replace(/[.]/g, '\\.')));

    // The invitee follows the link in the mail; has no account yet.
    const link = site.linkIn((await site.readMail(email)).body, '/workspaces/invitation');
    const page = await site.newPage({ lang });
    await fresh(page, link);
    assert.equal(await h1(page), T('workspace.invitation.title'));
    assert.match(await page.locator('main').innerText(), new RegExp(ws.name));
    await tabTo(page, 'main a[href="/signup"]');
    await follow(page);
    assert.equal(new URL(page.url()).pathname, '/signup');
    await tabTo(page, '#email');
    await typeInto(page, email);
    await tabNext(page, '#name');
    await typeInto(page, 'Ingrid Uitgenodigd');
    await tabNext(page, '#password');
    await typeInto(page, 'invited by the core team');
    await follow(page);
    assert.equal(await h1(page), T('signup.done_title'));
    // Confirms the address with the link in the verification mail.
    await page.goto(await site.verifyLinkFor(email));
    assert.equal(new URL(page.url()).pathname, '/login');
    // Back to the invitation (as its page says), and log in from there.
    await fresh(page, link);
    await tabTo(page, 'main a[href^="/login?next="]');
    await follow(page);
    await tabTo(page, '#email');
    await typeInto(page, email);
    await tabNext(page, '#password');
    await typeInto(page, 'invited by the core team');
    await follow(page);
    assert.equal(`${new URL(page.url()).pathname}${new URL(page.url()).search}`, new URL(link).pathname + new URL(link).search,
      'the login leads back to the invitation');
    await tabTo(page, 'main form[action="/workspaces/invitation"] button[type=submit]');
    await follow(page);
    assert.equal(new URL(page.url()).pathname, ws.base);
    assert.equal(await notice(page), T('notice.ws_joined'));
    assert.match(await page.locator('main').innerText(), new RegExp(`${T('workspace.your_circle')}: ${T('workspace.circle.members')}`));
    await page.context().close();
    await core.context().close();
  });

  it('join: someone asks with a message; core accepts them into the supporters', { timeout: 120_000 }, async () => {
    const joiner = await newAccount('kbdjoiner', { lang });
    const page = joiner.page;
    await fresh(page, ws.base);
    await tabTo(page, '#message');
    await typeInto(page, 'Ik kook graag mee op donderdag.');
    await tabNext(page, `form[action="${ws.base}/join"] button[type=submit]`);
    await follow(page);
    assert.equal(await notice(page), T('notice.ws_join_requested'));

    const core = await signedIn('member', lang);
    await fresh(core, `${ws.base}/invite`);
    const item = core.locator('main ul.requests > li').filter({ hasText: joiner.name });
    assert.equal(await item.count(), 1, 'the request is listed');
    assert.match(await item.innerText(), /Ik kook graag mee op donderdag\./);
    const select = await item.locator('select').getAttribute('id');
    await tabTo(core, `[id="${select}"]`);
    assert.equal(await core.locator(`[id="${select}"]`).inputValue(), 'supporters', 'supporters is chosen already');
    const f = await tabNext(core, `li:has([id="${select}"]) form[action$="/invite/accept"] button`);
    assert.match(f.text, new RegExp(T('workspace.requests.accept')));
    // Space on a button works as well as Enter.
    await Promise.all([core.waitForURL((u) => u.searchParams.get('notice') === 'ws_request_accepted'), core.keyboard.press('Space')]);
    assert.equal(await notice(core), T('notice.ws_request_accepted'));
    assert.equal(await core.locator('main ul.requests > li').filter({ hasText: joiner.name }).count(), 0);

    await page.goto(ws.base);
    assert.match(await page.locator('main').innerText(), new RegExp(`${T('workspace.your_circle')}: ${T('workspace.circle.supporters')}`));
    await page.context().close();
    await core.context().close();
  });

  it('portal: a member opens their record, corrects their phone, consents, sees shares and fees', { timeout: 120_000 }, async () => {
    const page = await signedIn('moderator', lang);
    await fresh(page, '/workspaces');
    await tabTo(page, `main .card h2 a[href="${ws.base}"]`);
    await follow(page);
    assert.equal(await h1(page), ws.name);
    const own = ws.people.get('Mo Moderator');
    await tabTo(page, `main nav a[href="${own}"]`);
    await follow(page);
    assert.equal(await h1(page), 'Mo Moderator');

    // The phone number, replaced by keyboard; Enter sends the form.
    const phone = `06 ${String(Math.floor(Math.random() * 1e8)).padStart(8, '0')}`;
    await tabTo(page, '#phone');
    await page.keyboard.press('ControlOrMeta+a');
    await typeInto(page, phone);
    await follow(page);
    assert.equal(await notice(page), T('notice.ws_contact_saved'));
    assert.equal(await page.locator('#phone').inputValue(), phone);
    assert.ok((await page.locator('main dl.facts dd').allInnerTexts()).includes(phone), 'the record shows the new number');

    // The consent the core team asks for.
    const consent = page.locator('main ul.consents > li').filter({ hasText: CONSENT_TEXT });
    const textId = await consent.locator('input[name=text]').getAttribute('value');
    const giving = await consent.locator('input[name=agree]').getAttribute('value') === 'yes';
    await tabTo(page, `main ul.consents form:has(input[name=text][value="${textId}"]) button`);
    await Promise.all([page.waitForURL((u) => u.searchParams.get('notice') === 'ws_consent_saved'), page.keyboard.press('Space')]);
    assert.equal(await notice(page), T('notice.ws_consent_saved'));
    const after = await page.locator('main ul.consents > li').filter({ hasText: CONSENT_TEXT }).innerText();
    assert.ok(after.includes(giving ? T('workspace.person.consent_withdraw') : T('workspace.person.consent_give')), 'the answer is recorded');

    // Their fees on the record, and the shares and fees pages from the nav.
    assert.ok((await page.locator('main h2').allInnerTexts()).includes(T('workspace.fees.title')), 'the record lists the fees');
    await tabTo(page, `main nav a[href="${ws.base}/shares"]`);
    await follow(page);
    assert.equal(await h1(page), T('workspace.shares.title'));
    assert.match(await page.locator('main').innerText(), new RegExp(T('workspace.shares.intro_member').slice(0, 20)));
    await tabTo(page, `main nav a[href="${ws.base}/fees"]`);
    await follow(page);
    assert.equal(await h1(page), T('workspace.fees.title'));
    await page.locator('main li', { hasText: '2026' }).waitFor();
    await page.context().close();
  });

  it('import: a file with a bad row is named by its row, mended, previewed and imported', { timeout: 120_000 }, async () => {
    const page = await signedIn('member', lang);
    // Playwright takes the file chooser over only once something listens
    // for it: listen from the start, so the first Space cannot outrun it.
    page.on('filechooser', () => {});
    const word = uniqueWord();
    await fresh(page, `${ws.base}/members/import`);
    await tabTo(page, '#file');
    await chooseFile(page, importFile(word, { broken: true }));
    await tabNext(page, '#skip_unknown');
    await tabNext(page, `form[action="${ws.base}/members/import"] button[type=submit]`);
    await follow(page);

    // Focus is on the summary; the problem is named with its row.
    let f = await autofocused(page);
    assert.ok(f.cls.includes('error-summary'), `after the failed check, focus is on ${nameOf(f)}, not the error summary`);
    assertFocusVisible(f);
    assert.deepEqual((await page.locator('main .error-list li').allInnerTexts()).map((s) => s.trim()), [brokenRow(lang)]);
    assert.equal(await page.locator('main .error-summary a').innerText(), T('workspace.import.problems.one'));
    // The summary's link leads to the file field, to choose the mended file.
    f = await tabNext(page, 'main .error-summary a[href="#file"]');
    f = await press(page, 'Enter');
    assert.equal(f.id, 'file', `the summary link led to ${nameOf(f)}`);
    assertFocusVisible(f);
    // There, the field names the problems, row by row, for a screen reader too.
    const describedBy = (await page.locator('#file').getAttribute('aria-describedby')).split(/\s+/);
    assert.ok(describedBy.includes('file-problems'), `#file is described by the list of problems (aria-describedby "${describedBy.join(' ')}")`);
    assert.equal((await page.locator('#file-problems').innerText()).trim(), brokenRow(lang));
    await chooseFile(page, importFile(word, { broken: false }));
    await tabNext(page, '#skip_unknown');
    await tabNext(page, `form[action="${ws.base}/members/import"] button[type=submit]`);
    await follow(page);
    assert.equal(await h1(page), T('workspace.import.title'));
    assert.equal((await page.locator('main [role=status]').innerText()).trim(), T('workspace.import.rows.other', { n: 2 }));
    assert.deepEqual((await page.locator('main table').nth(1).locator('tbody th[scope=row]').allInnerTexts()).map((s) => s.trim()), [`Anna ${word}`, `Bram ${word}`]);

    // Confirm: the same file again, then the button.
    await tabTo(page, '#confirm-file');
    await chooseFile(page, importFile(word, { broken: false }));
    await tabNext(page, `form:has(#confirm-file) button[type=submit]`);
    await follow(page);
    assert.equal(new URL(page.url()).pathname, `${ws.base}/members`);
    assert.equal(await notice(page), T('notice.ws_imported'));
    await page.goto(`${ws.base}/members?q=${word}`);
    assert.deepEqual((await page.locator('main tbody th[scope=row] a').allInnerTexts()).map((s) => s.trim()).sort(), [`Anna ${word}`, `Bram ${word}`]);
    await page.context().close();
  });
});

// ---------------------------------------------------------------------------
// Without JavaScript.

describe('workspaces without JavaScript', () => {
  const lang = 'en';
  const T = (key, vars) => t(lang, key, vars);
  const noJS = { javaScriptEnabled: false };

  it('invite: an invitee with an account logs in from the invitation and accepts', { timeout: 120_000 }, async () => {
    const invitee = await newAccount('nojsinvitee', { lang, ...noJS });
    const link = await invite(invitee.email, 'contributors');
    const page = invitee.page;
    // Signed out, the invitation offers to log in, and leads back after.
    await page.locator('header').getByRole('button', { name: T('nav.logout') }).click();
    await page.waitForURL((u) => u.searchParams.get('notice') === 'logged_out');
    await page.goto(link);
    assert.equal(await page.locator('noscript, script').count(), 0, 'pages need no scripts');
    assert.equal(await h1(page), T('workspace.invitation.title'));
    await page.getByRole('link', { name: T('nav.login'), exact: true }).and(page.locator('main a')).click();
    await page.waitForURL('**/login?**');
    const form = mainForm(page, '/login');
    await form.getByLabel(T('form.email')).fill(invitee.email);
    await form.getByLabel(T('form.password')).fill(invitee.password);
    await submit(page, form);
    assert.equal(new URL(page.url()).pathname, '/workspaces/invitation');
    await submit(page, mainForm(page, '/workspaces/invitation'));
    assert.equal(new URL(page.url()).pathname, ws.base);
    assert.equal(await notice(page), T('notice.ws_joined'));
    assert.match(await page.locator('main').innerText(), new RegExp(`${T('workspace.your_circle')}: ${T('workspace.circle.contributors')}`));
    // The link cannot be used twice.
    await page.goto(link);
    assert.match(await page.locator('main').innerText(), new RegExp(T('error.workspace.invitation_used')));
    await page.context().close();
  });

  it('join: a request with a message, accepted by core into the supporters', { timeout: 120_000 }, async () => {
    const joiner = await newAccount('nojsjoiner', { lang, ...noJS });
    const page = joiner.page;
    await page.goto(ws.base);
    const join = mainForm(page, `${ws.base}/join`);
    await join.getByLabel(T('workspace.join.message')).fill('I can help with the accounts.');
    await submit(page, join);
    assert.equal(await notice(page), T('notice.ws_join_requested'));
    // The request can be seen on the home page, with a way to withdraw it.
    await mainForm(page, `${ws.base}/withdraw`).waitFor();

    const core = await signedIn('member', lang, noJS);
    await core.goto(`${ws.base}/invite`);
    const item = core.locator('main ul.requests > li').filter({ hasText: joiner.name });
    assert.match(await item.innerText(), /I can help with the accounts\./);
    const accept = item.locator(`form[action="${ws.base}/invite/accept"]`);
    await accept.getByLabel(T('workspace.requests.into')).selectOption('supporters');
    await submit(core, accept);
    assert.equal(await notice(core), T('notice.ws_request_accepted'));

    await page.goto(ws.base);
    assert.match(await page.locator('main').innerText(), new RegExp(`${T('workspace.your_circle')}: ${T('workspace.circle.supporters')}`));
    await page.context().close();
    await core.context().close();
  });

  it('portal: a member corrects their address and answers the consent', { timeout: 120_000 }, async () => {
    const page = await signedIn('moderator', lang, noJS);
    await page.goto('/workspaces');
    await page.locator('main .card').getByRole('link', { name: ws.name, exact: true }).click();
    await page.waitForURL(`**${ws.base}`);
    await page.locator('main nav').getByRole('link', { name: T('workspace.your_record') }).click();
    const own = ws.people.get('Mo Moderator');
    await page.waitForURL(`**${own}`);
    const address = `Keizersgracht ${Math.floor(Math.random() * 900) + 1}, Amsterdam`;
    const contact = mainForm(page, `${own}/contact`);
    await contact.getByRole('textbox', { name: `${T('workspace.field.address')} (${T('form.optional')})`, exact: true }).fill(address);
    await submit(page, contact);
    assert.equal(await notice(page), T('notice.ws_contact_saved'));
    assert.ok((await page.locator('main dl.facts dd').allInnerTexts()).includes(address));

    const consent = page.locator('main ul.consents > li').filter({ hasText: CONSENT_TEXT });
    const giving = await consent.locator('input[name=agree]').getAttribute('value') === 'yes';
    await submit(page, consent.locator('form'));
    assert.equal(await notice(page), T('notice.ws_consent_saved'));
    assert.equal(await page.locator('main ul.consents > li').filter({ hasText: CONSENT_TEXT }).locator('input[name=agree]').getAttribute('value'),
      giving ? 'no' : 'yes', 'the answer is recorded');
    // Shares and fees, from the workspace's menu.
    await page.locator('main nav').getByRole('link', { name: T('workspace.fees.title') }).click();
    await page.waitForURL(`**${ws.base}/fees`);
    await page.locator('main li', { hasText: '2026' }).waitFor();
    await page.context().close();
  });

  it('import: a broken file, mended, previewed and imported', { timeout: 120_000 }, async () => {
    const page = await signedIn('member', lang, noJS);
    const word = uniqueWord();
    await page.goto(`${ws.base}/members/import`);
    const form = mainForm(page, `${ws.base}/members/import`);
    await form.getByLabel(T('workspace.import.file')).setInputFiles(importFile(word, { broken: true }));
    await submit(page, form);
    assert.deepEqual((await page.locator('main .error-list li').allInnerTexts()).map((s) => s.trim()), [brokenRow(lang)]);

    await page.locator('#file').setInputFiles(importFile(word, { broken: false }));
    await submit(page, mainForm(page, `${ws.base}/members/import`).filter({ has: page.locator('#file') }));
    assert.equal((await page.locator('main [role=status]').innerText()).trim(), T('workspace.import.rows.other', { n: 2 }));
    const confirm = mainForm(page, `${ws.base}/members/import`).filter({ has: page.locator('#confirm-file') });
    await confirm.getByLabel(T('workspace.import.same_file')).setInputFiles(importFile(word, { broken: false }));
    await submit(page, confirm);
    assert.equal(await notice(page), T('notice.ws_imported'));
    await page.goto(`${ws.base}/members?q=${word}`);
    assert.deepEqual((await page.locator('main tbody th[scope=row] a').allInnerTexts()).map((s) => s.trim()).sort(), [`Anna ${word}`, `Bram ${word}`]);

    // A file that is not the one previewed is not imported.
    await page.goto(`${ws.base}/members/import`);
    await page.locator('#file').setInputFiles(importFile(uniqueWord(), { broken: false }));
    await submit(page, mainForm(page, `${ws.base}/members/import`));
    const other = mainForm(page, `${ws.base}/members/import`).filter({ has: page.locator('#confirm-file') });
    await other.locator('#confirm-file').setInputFiles(importFile(uniqueWord(), { broken: false }));
    await submit(page, other);
    assert.notEqual(new URL(page.url()).pathname, `${ws.base}/members`, 'another file than the previewed one is previewed, not imported');
    await page.context().close();
  });
});
