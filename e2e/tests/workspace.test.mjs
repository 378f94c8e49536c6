// Workspaces as people use them: axe-core on every workspace page in Dutch
// and in English (as the core team, as a member, as a signed-in outsider
// and as a visitor; each form also with its errors); and four journeys,
// each once by keyboard only and once without JavaScript: an invitation
// sent by the core team and accepted by someone who signs up for it; a
// request to join, accepted into the supporters; the member portal (one's
// own record corrected, a consent given, one's shares and fees); and an
// import of the register from a spreadsheet with a mistake in it.
//
// The demo's workspace is the first demo initiative's: the demo member is
// its core team (and so treasurer), the demo moderator is in the members
// circle. Its address is read from the API, not written here.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO, LANGUAGES, assertFocusVisible, autofocused, axe, formErrors, h1, htmlLang, login, mainForm, memberInitiatives, nameOf,
  notice, press, pressEnterToSubmit, signUp, submit, t, tabTo, typeInto, uniqueEmail, uniqueWord, useSite, walk,
} from '../lib/samen.mjs';

const site = await useSite();

// ---------------------------------------------------------------------------
// Accounts and the demo workspace.

/** signedIn opens a context in lang signed in as one of the demo accounts. */
async function signedIn(who, lang = 'nl', options = {}) {
  const page = await site.newPage({ lang, ...options });
  await login(page, DEMO[who].email, DEMO[who].password);
  return page;
}

/**
 * newAccount signs someone new up (through the forms), confirms the
 * address with the link from the outbox and logs in. Returns the page,
 * signed in, and the account.
 */
async function newAccount(prefix, { lang = 'nl', javaScriptEnabled = true } = {}) {
  const page = await site.newPage({ lang, javaScriptEnabled });
  const account = { email: uniqueEmail(prefix), name: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${uniqueWord()}`, password: 'a workspace of our own' };
  await signUp(page, account);
  assert.equal(await h1(page), t(lang, 'signup.done_title'));
  await page.goto(await serially(() => site.verifyLinkFor(account.email)));
  await login(page, account.email, account.password);
  return { page, ...account };
}

/** The consent text the core team publishes. */
const CONSENT_TEXT = 'Foto’s van activiteiten waarop ik sta mogen op de website.';

// The two languages' axe pages run side by side; what they share (the
// steward's outbox page, the core page that sends invitations) is used by
// one at a time.
let queue = Promise.resolve();
function serially(fn) {
  const run = queue.then(fn);
  queue = run.catch(() => {});
  return run;
}

/** ws holds what the tests read from the demo once: its slug and ids. */
const ws = {};
let corePage; // the demo member, core team, in Dutch: for setting things up

// Read once, before any test, as each describe's pages need them.
await (async () => {
  corePage = await signedIn('member', 'nl');
  // The workspace's address, as the API gives it.
  const res = await corePage.request.get('/api/v1/workspaces');
  assert.equal(res.status(), 200);
  const list = (await res.json()).workspaces;
  const demo = list.find((w) => w.initiative_id !== undefined && w.circle === 'core');
  assert.ok(demo, `the demo member is the core team of a workspace: ${JSON.stringify(list)}`);
  Object.assign(ws, { slug: demo.slug, name: demo.name, base: `/workspaces/${demo.slug}` });

  // The register, as the core team sees it: each person's record by name.
  await corePage.goto(`${ws.base}/members`);
  ws.people = new Map(await corePage.locator('main tbody th[scope=row] a').evaluateAll((as) => as.map((a) => [a.innerText.trim(), a.getAttribute('href')])));
  for (const name of ['Mia Member', 'Mo Moderator', 'Kees Jansen', 'Mohammed Ouali']) assert.ok(ws.people.has(name), `${name} is in the register`);
  // The register of shares: a participation by holder.
  await corePage.goto(`${ws.base}/shares`);
  ws.participations = new Map((await corePage.locator('main tbody th[scope=row] a').evaluateAll((as) => as.map((a) => [a.innerText.trim(), a.getAttribute('href')]))).reverse());
  for (const name of ['Mia Member', 'Lotte Visser']) assert.ok(ws.participations.has(name), `${name} holds shares`);
  // A file, if the files have landed.
  await corePage.goto(`${ws.base}/files`);
  ws.file = (await corePage.locator(`main a[href^="${ws.base}/files/"]`).evaluateAll((as) => as.map((a) => a.getAttribute('href'))))
    .find((h) => /\/files\/\d+$/.test(h));

  // The core team publishes a consent text, so the portal asks for it.
  ws.consentKey = `foto_${uniqueWord()}`;
  await corePage.goto(`${ws.base}/consents`);
  const consent = mainForm(corePage, `${ws.base}/consents`);
  await consent.locator('#key').fill(ws.consentKey);
  await consent.locator('#text').fill(CONSENT_TEXT);
  await submit(corePage, consent);
  assert.equal(await notice(corePage), t('nl', 'notice.ws_consent_published'));

  // The atlas entries the axe pages open, looked up now: the lookup has a
  // page of its own that the two languages must not share at once.
  for (const { name } of memberInitiatives.slice(0, 2)) await site.initiativeId(name);

  // Someone leaves, so "who left" has a row: Mohammed's membership ends.
  await corePage.goto(ws.people.get('Mohammed Ouali'));
  await submit(corePage, mainForm(corePage, `${ws.people.get('Mohammed Ouali')}/end`));
  assert.equal(await notice(corePage), t('nl', 'notice.ws_ended'));
})();

/** invite has the core team invite email into circle; returns the link from the mail. */
function invite(email, circle = 'members') {
  return serially(() => sendInvitation(email, circle));
}

async function sendInvitation(email, circle) {
  await corePage.goto(`${ws.base}/invite`);
  const form = mainForm(corePage, `${ws.base}/invite/send`);
  await form.locator('#email').fill(email);
  await form.locator(`#circle-${circle}`).check();
  await submit(corePage, form);
  assert.equal(await notice(corePage), t('nl', 'notice.ws_invited'));
  const { body } = await site.readMail(email);
  return site.linkIn(body, '/workspaces/invitation');
}

/** A small register in a spreadsheet: one row has an address that is none. */
function importFile(word, { broken }) {
  const rows = [
    'Naam;E-mail;Telefoon;Kring;Lid sinds',
    `Anna ${word};anna-${word}@example.org;06 1111 2222;leden;2024-03-01`,
    `Bram ${word};${broken ? 'bram-at-example' : `bram-${word}@example.org`};;sympathisanten;`,
  ];
  return { name: 'leden.csv', mimeType: 'text/csv', buffer: Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8') };
}

/** The problem the broken file has, as the import page words it. */
const brokenRow = (lang) => t(lang, 'workspace.import.at_cell', { row: 3, column: 'B', header: 'E-mail', problem: t(lang, 'field.email.invalid') });

// ---------------------------------------------------------------------------
// axe-core on every page.

// Each entry opens one page (in the state named) on the page object it gets.
// `as`: core (the demo member), member (the demo moderator), outsider (a
// new account, in no workspace), visitor. `heading` is the message key of
// the <h1> (or a function returning its text); `expect` a further check.
function pagesFor(lang) {
  const T = (key, vars) => t(lang, key, vars);
  const b = () => ws.base;
  /** sent opens path and sends the form with action (its fields as they are, or as fill sets them). */
  const sent = (path, action, fill) => async (p) => {
    await p.goto(path());
    const form = mainForm(p, action());
    if (fill) await fill(form);
    await submit(p, form);
  };
  const invitation = {};
  const entries = [
    {
      name: '/workspaces', as: 'core', heading: 'workspace.index.title', open: (p) => p.goto('/workspaces'),
      expect: async (p) => {
        await p.locator(`main .card h2 a[href="${b()}"]`).waitFor();
      },
    },
    {
      name: '/workspaces, in none', as: 'outsider', heading: 'workspace.index.title', open: (p) => p.goto('/workspaces'),
      expect: async (p) => assert.equal((await p.locator('main').innerText()).includes(T('workspace.index.none')), true),
    },
    { name: 'new workspace', as: 'outsider', heading: 'workspace.new.title', open: (p) => p.goto('/workspaces/new') },
    {
      name: 'new workspace, with errors (sent empty)', as: 'outsider', heading: 'workspace.new.title',
      open: sent(() => '/workspaces/new', () => '/workspaces/new'), expect: formErrors(lang, ['name']),
    },
    {
      name: 'home, as core', as: 'core', heading: () => ws.name, open: (p) => p.goto(b()),
      expect: async (p) => {
        await p.locator(`main nav a[href="${b()}/settings"]`).waitFor();
        await mainForm(p, `${b()}/leave`).waitFor();
      },
    },
    {
      name: 'home, as a member', as: 'member', heading: () => ws.name, open: (p) => p.goto(b()),
      expect: async (p) => {
        assert.equal(await p.locator(`main a[href="${b()}/settings"]`).count(), 0, 'a member has no settings');
        assert.match(await p.locator('main').innerText(), new RegExp(`${T('workspace.your_circle')}: ${T('workspace.circle.members')}`));
      },
    },
    {
      name: 'home, as a signed-in outsider (the join form)', as: 'outsider', heading: () => ws.name, open: (p) => p.goto(b()),
      expect: async (p) => mainForm(p, `${b()}/join`).locator('#message').waitFor(),
    },
    {
      name: 'home, as a visitor', as: 'visitor', heading: () => ws.name, open: (p) => p.goto(b()),
      expect: async (p) => p.getByRole('link', { name: T('workspace.join.login') }).waitFor(),
    },
    { name: 'settings', as: 'core', heading: 'workspace.settings.title', open: (p) => p.goto(`${b()}/settings`) },
    {
      name: 'settings, with errors (no name)', as: 'core', heading: 'workspace.settings.title',
      open: sent(() => `${b()}/settings`, () => `${b()}/settings`, (f) => f.locator('#name').fill('')),
      expect: formErrors(lang, ['name']),
    },
    {
      name: 'register', as: 'core', heading: 'workspace.register.title', open: (p) => p.goto(`${b()}/members`),
      expect: async (p) => assert.ok(await p.locator('main tbody tr').count() >= 9, 'the demo rows are listed'),
    },
    {
      name: 'register, filtered (members circle, searched)', as: 'core', heading: 'workspace.register.title',
      open: async (p) => {
        await p.goto(`${b()}/members`);
        const form = mainForm(p, `${b()}/members`);
        await form.locator('#q').fill('Kees');
        await form.locator('#circle').selectOption('members');
        await submit(p, form);
      },
      expect: async (p) => assert.deepEqual((await p.locator('main tbody th[scope=row] a').allInnerTexts()).map((s) => s.trim()), ['Kees Jansen']),
    },
    {
      name: 'register, who left', as: 'core', heading: 'workspace.register.title',
      open: async (p) => {
        await p.goto(`${b()}/members`);
        await p.getByRole('link', { name: T('workspace.register.left') }).click();
        await p.waitForURL((u) => u.searchParams.get('left') === '1');
      },
      expect: async (p) => {
        assert.ok((await p.locator('main tbody th[scope=row] a').allInnerTexts()).some((s) => s.trim() === 'Mohammed Ouali'));
        await p.locator('main thead th', { hasText: T('workspace.field.left') }).waitFor();
      },
    },
    {
      name: 'register, as a member', as: 'member', heading: 'workspace.register.title', open: (p) => p.goto(`${b()}/members`),
      expect: async (p) => assert.equal(await p.locator(`main a[href="${b()}/members/new"]`).count(), 0, 'a member adds nobody'),
    },
    { name: 'own record, as core', as: 'core', heading: () => 'Mia Member', open: (p) => p.goto(ws.people.get('Mia Member')) },
    {
      name: 'own record, as a member (the portal)', as: 'member', heading: () => 'Mo Moderator', open: (p) => p.goto(ws.people.get('Mo Moderator')),
      expect: async (p) => {
        await p.locator('main #phone').waitFor();
        await p.locator('main ul.consents button').waitFor();
      },
    },
    {
      name: 'own record, with an error (name emptied)', as: 'member', heading: () => 'Mo Moderator',
      open: sent(() => ws.people.get('Mo Moderator'), () => `${ws.people.get('Mo Moderator')}/contact`, (f) => f.locator('#name').fill('')),
      expect: formErrors(lang, ['name']),
    },
    {
      name: 'someone else’s record, as core', as: 'core', heading: () => 'Kees Jansen', open: (p) => p.goto(ws.people.get('Kees Jansen')),
      expect: async (p) => {
        for (const action of ['contact', 'move', 'end']) await mainForm(p, `${ws.people.get('Kees Jansen')}/${action}`).waitFor();
      },
    },
    {
      name: 'someone else’s record, move with an error (no circle)', as: 'core', heading: () => 'Kees Jansen',
      open: async (p) => {
        await p.goto(ws.people.get('Kees Jansen'));
        // The move form with no circle chosen: the checked radio unchecked.
        const form = mainForm(p, `${ws.people.get('Kees Jansen')}/move`);
        await form.evaluate((f) => f.querySelectorAll('input[type=radio]').forEach((r) => { r.checked = false; }));
        await submit(p, form);
      },
      expect: formErrors(lang, ['circle']),
    },
    { name: 'someone who left, as core', as: 'core', heading: () => 'Mohammed Ouali', open: (p) => p.goto(ws.people.get('Mohammed Ouali')) },
    { name: 'add a member', as: 'core', heading: 'workspace.add.title', open: (p) => p.goto(`${b()}/members/new`) },
    {
      name: 'add a member, with errors (sent empty)', as: 'core', heading: 'workspace.add.title',
      open: sent(() => `${b()}/members/new`, () => `${b()}/members/new`), expect: formErrors(lang, ['name']),
    },
    {
      name: 'invitations and requests', as: 'core', heading: 'workspace.invite.title', open: (p) => p.goto(`${b()}/invite`),
      expect: async (p) => mainForm(p, `${b()}/invite/send`).waitFor(),
    },
    {
      name: 'invitations and requests, with errors (sent empty)', as: 'core', heading: 'workspace.invite.title',
      open: sent(() => `${b()}/invite`, () => `${b()}/invite/send`), expect: formErrors(lang, ['email']),
    },
    { name: 'fields', as: 'core', heading: 'workspace.fields.title', open: (p) => p.goto(`${b()}/fields`) },
    {
      name: 'fields, with errors (sent empty)', as: 'core', heading: 'workspace.fields.title',
      open: sent(() => `${b()}/fields`, () => `${b()}/fields/save`), expect: formErrors(lang, ['label']),
    },
    {
      name: 'consents', as: 'core', heading: 'workspace.consents.title', open: (p) => p.goto(`${b()}/consents`),
      expect: async (p) => p.locator('main code', { hasText: ws.consentKey }).waitFor(),
    },
    {
      name: 'consents, with errors (sent empty)', as: 'core', heading: 'workspace.consents.title',
      open: sent(() => `${b()}/consents`, () => `${b()}/consents`), expect: formErrors(lang, ['key', 'text']),
    },
    {
      name: 'shares, as treasurer', as: 'core', heading: 'workspace.shares.title', open: (p) => p.goto(`${b()}/shares`),
      expect: async (p) => {
        await p.locator('main table caption', { hasText: T('workspace.shares.register', { workspace: ws.name }) }).waitFor();
        await mainForm(p, `${b()}/shares/class`).waitFor();
      },
    },
    {
      name: 'shares, as treasurer, with errors (sent empty)', as: 'core', heading: 'workspace.shares.title',
      open: sent(() => `${b()}/shares`, () => `${b()}/shares/participate`), expect: formErrors(lang, ['shares']),
    },
    {
      name: 'shares, a new class with errors (sent empty)', as: 'core', heading: 'workspace.shares.title',
      open: sent(() => `${b()}/shares`, () => `${b()}/shares/class`), expect: formErrors(lang, ['name', 'nominal']),
    },
    {
      name: 'shares, as a member', as: 'member', heading: 'workspace.shares.title', open: (p) => p.goto(`${b()}/shares`),
      expect: async (p) => assert.equal(await mainForm(p, `${b()}/shares/class`).count(), 0, 'a member makes no classes'),
    },
    {
      name: 'shares, as a member, with an error (no shares)', as: 'member', heading: 'workspace.shares.title',
      open: sent(() => `${b()}/shares`, () => `${b()}/shares/participate`, (f) => f.locator('#shares').fill('0')), expect: formErrors(lang, ['shares']),
    },
    {
      name: 'a participation (final: pay and transfer)', as: 'core', heading: () => `${T('workspace.participation.title')}: Mia Member, Ledenaandeel`,
      open: (p) => p.goto(ws.participations.get('Mia Member')),
      expect: async (p) => {
        for (const action of ['pay', 'transfer']) await mainForm(p, `${ws.participations.get('Mia Member')}/${action}`).waitFor();
      },
    },
    {
      name: 'a participation, a payment with errors (sent empty)', as: 'core', heading: () => `${T('workspace.participation.title')}: Mia Member, Ledenaandeel`,
      open: sent(() => ws.participations.get('Mia Member'), () => `${ws.participations.get('Mia Member')}/pay`), expect: formErrors(lang, ['amount']),
    },
    {
      name: 'a participation, a transfer with errors (sent empty)', as: 'core', heading: () => `${T('workspace.participation.title')}: Mia Member, Ledenaandeel`,
      open: sent(() => ws.participations.get('Mia Member'), () => `${ws.participations.get('Mia Member')}/transfer`), expect: formErrors(lang, ['number']),
    },
    {
      name: 'a participation (interest: its status)', as: 'core', heading: () => `${T('workspace.participation.title')}: Lotte Visser, Zonnedak Zeedijk`,
      open: (p) => p.goto(ws.participations.get('Lotte Visser')),
      expect: async (p) => mainForm(p, `${ws.participations.get('Lotte Visser')}/status`).waitFor(),
    },
    {
      name: 'the printable register of shares', as: 'core', heading: () => T('workspace.shares.register', { workspace: ws.name }),
      open: (p) => p.goto(`${b()}/shares?format=print`),
    },
    { name: 'ledger', as: 'core', heading: 'workspace.ledger.title', open: (p) => p.goto(`${b()}/ledger`) },
    {
      name: 'ledger, with errors (sent empty)', as: 'core', heading: 'workspace.ledger.title',
      open: sent(() => `${b()}/ledger`, () => `${b()}/ledger/book`), expect: formErrors(lang, ['number', 'amount']),
    },
    { name: 'ledger, as a member', as: 'member', heading: 'workspace.ledger.title', open: (p) => p.goto(`${b()}/ledger`) },
    { name: 'fees, as treasurer', as: 'core', heading: 'workspace.fees.title', open: (p) => p.goto(`${b()}/fees`) },
    {
      name: 'fees, with errors (sent empty)', as: 'core', heading: 'workspace.fees.title',
      open: sent(() => `${b()}/fees`, () => `${b()}/fees/open`), expect: formErrors(lang, ['name', 'amount', 'due_on']),
    },
    {
      name: 'fees, as a member', as: 'member', heading: 'workspace.fees.title', open: (p) => p.goto(`${b()}/fees`),
      expect: async (p) => p.locator('main li', { hasText: '2026' }).waitFor(),
    },
    {
      name: 'an invitation, as a visitor', as: 'visitor', heading: 'workspace.invitation.title',
      open: async (p) => {
        invitation.valid ??= await invite(uniqueEmail(`axe-${lang}`));
        await p.goto(invitation.valid);
      },
      expect: async (p) => p.locator(`main a[href^="/login?next="]`).waitFor(),
    },
    {
      name: 'an invitation, signed in', as: 'outsider', heading: 'workspace.invitation.title',
      open: async (p) => p.goto(invitation.valid),
      expect: async (p) => mainForm(p, '/workspaces/invitation').waitFor(),
    },
    {
      name: 'an invitation already accepted', as: 'visitor', heading: 'workspace.invitation.title',
      open: async (p) => {
        if (!invitation.used) {
          invitation.used = await invite(uniqueEmail(`axe-used-${lang}`), 'supporters');
          // The steward (in no workspace) accepts it.
          const steward = await signedIn('steward', lang);
          await steward.goto(invitation.used);
          await submit(steward, mainForm(steward, '/workspaces/invitation'));
          assert.equal(await notice(steward), T('notice.ws_joined'));
          await steward.context().close();
        }
        const res = await p.goto(invitation.used);
        assert.equal(res.status(), 410);
      },
      expect: async (p) => p.locator('main p', { hasText: T('error.workspace.invitation_used') }).waitFor(),
    },
    { name: 'import', as: 'core', heading: 'workspace.import.title', open: (p) => p.goto(`${b()}/members/import`) },
    {
      name: 'import, with an error (no file)', as: 'core', heading: 'workspace.import.title',
      open: sent(() => `${b()}/members/import`, () => `${b()}/members/import`), expect: formErrors(lang, ['file']),
    },
    {
      name: 'import, a file with a broken row', as: 'core', heading: 'workspace.import.title',
      open: async (p) => {
        await p.goto(`${b()}/members/import`);
        await p.locator('#file').setInputFiles(importFile(uniqueWord(), { broken: true }));
        await submit(p, mainForm(p, `${b()}/members/import`));
      },
      expect: async (p) => {
        await formErrors(lang, ['file'])(p);
        assert.deepEqual((await p.locator('main .error-list li').allInnerTexts()).map((s) => s.trim()), [brokenRow(lang)]);
      },
    },
    {
      name: 'import, the preview', as: 'core', heading: 'workspace.import.title',
      open: async (p) => {
        await p.goto(`${b()}/members/import`);
        await p.locator('#file').setInputFiles(importFile(uniqueWord(), { broken: false }));
        await submit(p, mainForm(p, `${b()}/members/import`).filter({ has: p.locator('#file') }));
      },
      expect: async (p) => {
        assert.equal((await p.locator('main [role=status]').innerText()).trim(), T('workspace.import.rows.other', { n: 2 }));
        await p.locator('#confirm-file').waitFor();
      },
    },
    { name: 'import participations', as: 'core', heading: 'workspace.shares_import.title', open: (p) => p.goto(`${b()}/shares/import`) },
    {
      name: 'import participations, with an error (no file)', as: 'core', heading: 'workspace.shares_import.title',
      open: sent(() => `${b()}/shares/import`, () => `${b()}/shares/import`), expect: formErrors(lang, ['file']),
    },
    {
      name: 'import participations, a file with a problem (no such member)', as: 'core', heading: 'workspace.shares_import.title',
      open: async (p) => {
        await p.goto(`${b()}/shares/import`);
        await p.locator('#file').setInputFiles({
          name: 'aandelen.csv', mimeType: 'text/csv', buffer: Buffer.from('Lidnummer;Soort;Aandelen\r\n99999;Ledenaandeel;1\r\n', 'utf8'),
        });
        await submit(p, mainForm(p, `${b()}/shares/import`).filter({ has: p.locator('#file') }));
      },
      expect: async (p) => {
        await formErrors(lang, ['file'])(p);
        assert.ok(await p.locator('main .error-list li').count() > 0, 'the problem is named');
      },
    },
    { name: 'announcements, as core', as: 'core', heading: 'workspace.announcements.title', open: (p) => p.goto(`${b()}/announcements`) },
    {
      name: 'announcements, with errors (sent empty)', as: 'core', heading: 'workspace.announcements.title',
      open: sent(() => `${b()}/announcements`, () => `${b()}/announcements`), expect: formErrors(lang, ['title', 'body']),
    },
    { name: 'announcements, as a visitor', as: 'visitor', heading: 'workspace.announcements.title', open: (p) => p.goto(`${b()}/announcements`) },
    { name: 'channels, as core', as: 'core', heading: 'workspace.channels.title', open: (p) => p.goto(`${b()}/channels`) },
    {
      name: 'channels, with errors (sent empty)', as: 'core', heading: 'workspace.channels.title',
      open: sent(() => `${b()}/channels`, () => `${b()}/channels/save`), expect: formErrors(lang, ['kind', 'name']),
    },
    { name: 'channels, as a member', as: 'member', heading: 'workspace.channels.title', open: (p) => p.goto(`${b()}/channels`) },
    { name: 'files, as core', as: 'core', heading: 'workspace.files.title', open: (p) => p.goto(`${b()}/files`) },
    {
      name: 'files, an upload with errors (no file)', as: 'core', heading: 'workspace.files.title',
      open: sent(() => `${b()}/files`, () => `${b()}/files`, (f) => f.locator('#file').evaluate((el) => el.removeAttribute('required'))),
      expect: formErrors(lang, ['file']),
    },
    { name: 'files, as a member', as: 'member', heading: 'workspace.files.title', open: (p) => p.goto(`${b()}/files`) },
    {
      name: 'a file, as core', as: 'core', heading: async (p) => (await p.locator('main h1').innerText()).trim(),
      open: async (p) => {
        assert.ok(ws.file, 'the demo workspace has a file');
        await p.goto(ws.file);
      },
      expect: async (p) => mainForm(p, `${ws.file}/save`).waitFor(),
    },
    // The atlas: the initiative's page leads to its workspace; another of
    // the member's initiatives offers to open one.
    {
      name: 'the atlas initiative with its workspace link', as: 'core', heading: () => memberInitiatives[0].name,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(memberInitiatives[0].name)}`),
      expect: async (p) => p.locator(`main a[href="${b()}"]`, { hasText: T('workspace.open_link') }).waitFor(),
    },
    {
      name: 'the atlas initiative with "open a workspace"', as: 'core', heading: () => memberInitiatives[1].name,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(memberInitiatives[1].name)}`),
      expect: async (p) => p.getByRole('button', { name: T('workspace.open_button') }).waitFor(),
    },
  ];
  return entries;
}

// Dutch and English side by side, each language's pages one after another.
describe('axe-core on the workspace pages', { concurrency: LANGUAGES.length }, () => {
for (const lang of LANGUAGES) {
  describe(`axe-core on the workspace pages, ${lang === 'nl' ? 'Dutch' : 'English'}`, { concurrency: 1 }, () => {
    const who = {};
    before(async () => {
      who.visitor = await site.newPage({ lang });
      who.core = await signedIn('member', lang);
      who.member = await signedIn('moderator', lang);
      who.outsider = (await newAccount(`outsider${lang}`, { lang })).page;
    });

    for (const entry of pagesFor(lang)) {
      it(entry.name, { timeout: 60_000 }, async () => {
        const page = who[entry.as];
        await entry.open(page);
        assert.equal(await htmlLang(page), lang);
        const heading = typeof entry.heading === 'function' ? await entry.heading(page) : t(lang, entry.heading);
        assert.equal(await h1(page), heading);
        const failures = [];
        if (entry.expect) await entry.expect(page).catch((err) => failures.push(err));
        await axe(page, `${entry.name} [${lang}]`).catch((err) => failures.push(err));
        if (failures.length === 1) throw failures[0];
        if (failures.length > 1) assert.fail(failures.map((e) => e.message).join('\n\n'));
      });
    }
  });
}
});

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
