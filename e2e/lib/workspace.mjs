// The demo workspace as the workspace tests find it and set it up, shared by
// tests/workspace-pages.test.mjs and tests/workspace-journeys.test.mjs. Each
// of those files imports this module in a process of its own, and so starts
// its own samen (with a fresh demo) and Chromium and does the setting up
// below on it: the two files can run side by side.
//
// The demo's workspace is the first demo initiative's: the demo member is
// its core team (and so treasurer), the demo moderator is in the members
// circle. Its address is read from the API, not written here.

import assert from 'node:assert/strict';
import {
  DEMO, login, mainForm, memberInitiatives, notice, signUp, submit, t, uniqueEmail, uniqueWord, useSite, h1,
} from './samen.mjs';

export const site = await useSite();
// ---------------------------------------------------------------------------
// Accounts and the demo workspace.

/** signedIn opens a context in lang signed in as one of the demo accounts. */
export async function signedIn(who, lang = 'nl', options = {}) {
  const page = await site.newPage({ lang, ...options });
  await login(page, DEMO[who].email, DEMO[who].password);
  return page;
}

/**
 * newAccount signs someone new up (through the forms), confirms the
 * address with the link from the outbox and logs in. Returns the page,
 * signed in, and the account.
 */
export async function newAccount(prefix, { lang = 'nl', javaScriptEnabled = true } = {}) {
  const page = await site.newPage({ lang, javaScriptEnabled });
  const account = { email: uniqueEmail(prefix), name: `${prefix[0].toUpperCase()}${prefix.slice(1)} ${uniqueWord()}`, password: 'a workspace of our own' };
  await signUp(page, account);
  assert.equal(await h1(page), t(lang, 'signup.done_title'));
  await page.goto(await serially(() => site.verifyLinkFor(account.email)));
  await login(page, account.email, account.password);
  return { page, ...account };
}

/** The consent text the core team publishes. */
export const CONSENT_TEXT = 'Foto’s van activiteiten waarop ik sta mogen op de website.';

// The two languages' axe pages run side by side; what they share (the
// steward's outbox page, the core page that sends invitations) is used by
// one at a time.
let queue = Promise.resolve();
export function serially(fn) {
  const run = queue.then(fn);
  queue = run.catch(() => {});
  return run;
}

/** ws holds what the tests read from the demo once: its slug and ids. */
export const ws = {};
export let corePage; // the demo member, core team, in Dutch: for setting things up

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
export function invite(email, circle = 'members') {
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
export function importFile(word, { broken }) {
  const rows = [
    'Naam;E-mail;Telefoon;Kring;Lid sinds',
    `Anna ${word};anna-${word}@example.org;06 1111 2222;leden;2024-03-01`,
    `Bram ${word};${broken ? 'bram-at-example' : `bram-${word}@example.org`};;sympathisanten;`,
  ];
  return { name: 'leden.csv', mimeType: 'text/csv', buffer: Buffer.from(`${rows.join('\r\n')}\r\n`, 'utf8') };
}

/** The problem the broken file has, as the import page words it. */
export const brokenRow = (lang) => t(lang, 'workspace.import.at_cell', { row: 3, column: 'B', header: 'E-mail', problem: t(lang, 'field.email.invalid') });
