// samen works without JavaScript: sign up, confirm, log in, switch the
// language and log out in a browser that runs no scripts at all.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { h1, htmlLang, mainForm, useSite, submit, t, uniqueEmail } from '../lib/samen.mjs';

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
