// axe-core on every workspace page in Dutch and in English (as the core
// team, as a member, as a signed-in outsider and as a visitor; each form
// also with its errors). The keyboard and no-JavaScript journeys through
// the workspace are in workspace-journeys.test.mjs; lib/workspace.mjs sets
// up the demo workspace for both.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LANGUAGES, axe, formErrors, h1, htmlLang, mainForm, memberInitiatives, notice, submit, t, uniqueEmail, uniqueWord } from '../lib/samen.mjs';
import { brokenRow, importFile, invite, newAccount, signedIn, site, ws } from '../lib/workspace.mjs';

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
