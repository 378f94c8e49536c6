// The journey of a newcomer: sign up, confirm the address through the link in
// the mail, log in, see the account page, switch the language to English and
// back, and log out.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { h1, htmlLang, mainForm, useSite, submit, t, uniqueEmail } from '../lib/samen.mjs';

const site = await useSite();

test('sign up, confirm, log in, switch language, log out', { timeout: 120_000 }, async () => {
  const email = uniqueEmail('journey');
  const password = 'a walk along the Amstel at dawn';
  const name = 'Noor Journey';

  // No language cookie: the browser asks for Dutch, and gets it.
  const page = await site.newPage();
  await page.goto('/');
  assert.equal(await htmlLang(page), 'nl');

  // Sign up through the link in the header.
  await page.locator(`nav[aria-label="${t('nl', 'layout.nav_user')}"]`).getByRole('link', { name: t('nl', 'nav.signup') }).click();
  await page.waitForURL('**/signup');
  assert.equal(await h1(page), t('nl', 'signup.title'));
  const form = mainForm(page, '/signup');
  await form.getByLabel(t('nl', 'form.email')).fill(email);
  await form.getByLabel(t('nl', 'form.name')).fill(name);
  await form.getByLabel(t('nl', 'form.password')).fill(password);
  await submit(page, form);
  assert.equal(await h1(page), t('nl', 'signup.done_title'));
  assert.match(await page.locator('main').innerText(), new RegExp(email.replace(/[.]/g, '\\.')));

  // Not confirmed yet: logging in is refused with an offer to resend.
  await page.goto('/login');
  await mainForm(page, '/login').getByLabel(t('nl', 'form.email')).fill(email);
  await mainForm(page, '/login').getByLabel(t('nl', 'form.password')).fill(password);
  await submit(page, mainForm(page, '/login'));
  assert.match(await page.locator('.error-summary').innerText(), new RegExp(escape(t('nl', 'error.login.unverified'))));

  // The steward reads the mail on the outbox page, in a browser context of
  // their own; the newcomer opens the link.
  const { subject, body } = await site.readMail(email);
  assert.equal(subject, t('nl', 'mail.verify.subject', { site: 'samen' }));
  assert.match(body, new RegExp(`^${escape(t('nl', 'mail.verify.body', { name }).split('\n')[0])}`));
  const link = site.linkIn(body, '/verify');
  await page.goto(link);
  const landed = new URL(page.url());
  assert.equal(landed.pathname, '/login');
  assert.equal(landed.searchParams.get('notice'), 'verified');
  assert.equal((await page.getByRole('status').innerText()).trim(), t('nl', 'notice.verified'));

  // Log in.
  const login = mainForm(page, '/login');
  await login.getByLabel(t('nl', 'form.email')).fill(email);
  await login.getByLabel(t('nl', 'form.password')).fill(password);
  await submit(page, login);
  assert.equal(new URL(page.url()).pathname, '/');

  // The account page, through the header link.
  await page.locator(`nav[aria-label="${t('nl', 'layout.nav_user')}"]`).getByRole('link', { name: new RegExp(t('nl', 'nav.account')) }).click();
  await page.waitForURL('**/account');
  assert.equal(await h1(page), t('nl', 'account.title'));
  assert.match(await page.locator('main').innerText(), new RegExp(escape(t('nl', 'account.signed_in_as', { email, role: t('nl', 'role.member') }))));
  await page.locator('header').getByRole('button', { name: t('nl', 'nav.logout') }).waitFor();

  // To English with the language switch: same page, other language.
  await page.locator(`nav[aria-label="${t('nl', 'layout.nav_language')}"]`).getByRole('link', { name: 'English' }).click();
  await page.waitForURL('**/account');
  assert.equal(await htmlLang(page), 'en');
  assert.equal(await h1(page), t('en', 'account.title'));
  await page.locator('header').getByRole('button', { name: t('en', 'nav.logout') }).waitFor();
  assert.equal(await page.locator(`nav[aria-label="${t('en', 'layout.nav_language')}"] [aria-current]`).innerText(), 'English');

  // The choice sticks on the next page.
  await page.goto('/');
  assert.equal(await htmlLang(page), 'en');
  assert.equal(await h1(page), t('en', 'home.heading'));

  // And back to Dutch.
  await page.locator(`nav[aria-label="${t('en', 'layout.nav_language')}"]`).getByRole('link', { name: 'Nederlands' }).click();
  await page.waitForURL((u) => u.pathname === '/');
  assert.equal(await htmlLang(page), 'nl');
  assert.equal(await h1(page), t('nl', 'home.heading'));

  // Log out with the button in the header.
  await Promise.all([
    page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('notice') === 'logged_out'),
    page.locator('header').getByRole('button', { name: t('nl', 'nav.logout') }).click(),
  ]);
  assert.equal((await page.getByRole('status').innerText()).trim(), t('nl', 'notice.logged_out'));
  const userNav = page.locator(`nav[aria-label="${t('nl', 'layout.nav_user')}"]`);
  await userNav.getByRole('link', { name: t('nl', 'nav.login') }).waitFor();
  assert.equal(await page.locator('header').getByRole('button', { name: t('nl', 'nav.logout') }).count(), 0);
  assert.equal((await page.context().cookies()).filter((c) => c.name === 'samen_session').length, 0, 'session cookie removed');

  // The account page now asks to log in first.
  await page.goto('/account');
  const u = new URL(page.url());
  assert.equal(u.pathname, '/login');
  assert.equal(u.searchParams.get('next'), '/account');
});

function escape(s) {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

// A page that answers a form (a new API token, a form with errors) is shown
// at the form's POST-only address; the language switch must lead back to the
// page the form is on, not to that address.
test('the language switch on a page answering a form leads to a page that exists', {
  timeout: 60_000,
}, async () => {
  const page = await site.newPage({ lang: 'nl' });
  await page.goto('/signup');
  const email = uniqueEmail('switch');
  await signUpAndVerify(page, email, 'switching languages midway');
  await page.goto('/login');
  await mainForm(page, '/login').getByLabel(t('nl', 'form.email')).fill(email);
  await mainForm(page, '/login').getByLabel(t('nl', 'form.password')).fill('switching languages midway');
  await submit(page, mainForm(page, '/login'));
  await page.goto('/account');
  await submit(page, mainForm(page, '/account/tokens')); // no name: the form comes back with an error
  assert.equal(await h1(page), t('nl', 'account.title'));
  await Promise.all([
    page.waitForEvent('framenavigated', { predicate: (f) => f === page.mainFrame() }),
    page.locator(`nav[aria-label="${t('nl', 'layout.nav_language')}"]`).getByRole('link', { name: 'English' }).click(),
  ]);
  await page.waitForLoadState('load');
  assert.equal(await htmlLang(page), 'en');
  assert.equal(await h1(page), t('en', 'account.title'), `the switch went to ${page.url()}`);
});

async function signUpAndVerify(page, email, password) {
  const form = mainForm(page, '/signup');
  await form.getByLabel(t('nl', 'form.email')).fill(email);
  await form.getByLabel(t('nl', 'form.password')).fill(password);
  await submit(page, form);
  await page.goto(await site.verifyLinkFor(email));
}
