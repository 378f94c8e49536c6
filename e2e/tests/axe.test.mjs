// axe-core on every page of samen, in Dutch and in English: the forms, the
// forms with their errors, the alerts, the admin pages, the error pages.
// Any WCAG 2.0/2.1 A or AA violation fails the test, and the report names
// each rule, what it asks for and the elements that break it.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AxeBuilder } from '@axe-core/playwright';
import {
  DEMO, LANGUAGES, h1, htmlLang, login, mainForm, useSite, signUp, submit, t, uniqueEmail,
} from '../lib/samen.mjs';

const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const site = await useSite();

/** axe runs axe-core on the page and fails with a readable report. */
async function axe(page, label) {
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  if (results.violations.length > 0) {
    assert.fail(`${label} (${page.url()}): ${results.violations.length} accessibility violation(s)\n${formatViolations(results.violations)}`);
  }
}

function formatViolations(violations) {
  return violations.map((v) => {
    const nodes = v.nodes.map((n) => [
      `    at ${n.target.join(' ')}`,
      `       ${n.html.replace(/\s+/g, ' ').slice(0, 300)}`,
      ...(n.failureSummary ?? '').split('\n').map((l) => `       ${l}`),
    ].join('\n'));
    return [`  ${v.id} [${v.impact}] ${v.help}`, `    ${v.helpUrl}`, ...nodes].join('\n');
  }).join('\n');
}

const strong = 'the quiet canal behind the old market';
let limitedEmail; // one address, made to hit the login rate limit

// Each entry opens one page (in the state named) on the page object it gets.
// `as` says who looks: a visitor, the demo steward or the demo member.
// `heading` is the message key of the <h1> the page must show, so a test
// cannot pass by checking the wrong page; `expect` is a further check.
function pagesFor(lang) {
  const state = {};
  const T = (key, vars) => t(lang, key, vars);
  const alertText = (page) => page.locator('main .error-summary').innerText();

  async function resetLink(scratch) {
    if (!state.resetLink) {
      const email = uniqueEmail(`reset-${lang}`);
      await signUp(scratch, { email, password: strong });
      await scratch.goto('/password/forgot');
      await mainForm(scratch, '/password/forgot').locator('#email').fill(email);
      await submit(scratch, mainForm(scratch, '/password/forgot'));
      state.resetLink = await site.resetLinkFor(email);
    }
    return state.resetLink;
  }

  const formErrors = (fields) => async (page) => {
    const summary = page.locator('main .error-summary');
    await summary.waitFor();
    for (const f of fields) {
      await summary.locator(`a[href="#${f}"]`).waitFor();
      assert.equal(await page.locator(`#${f}`).getAttribute('aria-invalid'), 'true', `#${f} is marked invalid`);
    }
  };

  return [
    { name: 'home', as: 'visitor', heading: 'home.heading', open: (p) => p.goto('/') },
    {
      name: 'home with the logged-out notice', as: 'visitor', heading: 'home.heading',
      open: (p) => p.goto('/?notice=logged_out'),
      expect: async (p) => assert.equal((await p.getByRole('status').innerText()).trim(), T('notice.logged_out')),
    },
    { name: 'API', as: 'visitor', heading: 'api.title', open: (p) => p.goto('/api') },
    { name: 'log in', as: 'visitor', heading: 'login.title', open: (p) => p.goto('/login') },
    {
      name: 'log in, after confirming the address', as: 'visitor', heading: 'login.title',
      open: (p) => p.goto('/login?notice=verified'),
      expect: async (p) => assert.equal((await p.getByRole('status').innerText()).trim(), T('notice.verified')),
    },
    {
      name: 'log in, with field errors', as: 'visitor', heading: 'login.title',
      open: async (p) => {
        await p.goto('/login');
        await mainForm(p, '/login').locator('#email').fill('not an address');
        await submit(p, mainForm(p, '/login'));
      },
      expect: formErrors(['email', 'password']),
    },
    {
      name: 'log in, wrong password alert', as: 'visitor', heading: 'login.title',
      open: async (p) => {
        await p.goto('/login');
        await mainForm(p, '/login').locator('#email').fill(uniqueEmail('nobody'));
        await mainForm(p, '/login').locator('#password').fill('not the password');
        await submit(p, mainForm(p, '/login'));
      },
      expect: async (p) => assert.equal((await alertText(p)).trim(), T('error.login.credentials')),
    },
    {
      name: 'log in, too many attempts alert', as: 'visitor', heading: 'login.title',
      open: async (p) => {
        // The same address for both languages: the limit, once reached,
        // holds for fifteen minutes.
        limitedEmail ??= uniqueEmail('guessed');
        for (let i = 0; i < 10; i++) {
          await p.goto('/login');
          await mainForm(p, '/login').locator('#email').fill(limitedEmail);
          await mainForm(p, '/login').locator('#password').fill(`guess number ${i}`);
          await submit(p, mainForm(p, '/login'));
          if ((await alertText(p)).trim() === T('error.login.rate_limited')) return;
        }
        assert.fail('ten wrong passwords did not trigger the rate limit');
      },
    },
    { name: 'sign up', as: 'visitor', heading: 'signup.title', open: (p) => p.goto('/signup') },
    {
      name: 'sign up, with errors', as: 'visitor', heading: 'signup.title',
      open: async (p) => {
        await p.goto('/signup');
        const form = mainForm(p, '/signup');
        await form.locator('#email').fill('no-at-sign.example.org');
        await form.locator('#password').fill('short');
        await submit(p, form);
      },
      expect: formErrors(['email', 'password']),
    },
    {
      name: 'sign up done: check your inbox', as: 'visitor', heading: 'signup.done_title',
      open: (p) => signUp(p, { email: uniqueEmail(`axe-${lang}`), name: 'Axe Tester', password: strong }),
    },
    { name: 'confirmation link that does not work', as: 'visitor', heading: 'verify.failed_title', open: (p) => p.goto('/verify?token=bad') },
    { name: 'new confirmation link', as: 'visitor', heading: 'resend.title', open: (p) => p.goto('/verify/resend') },
    {
      name: 'new confirmation link, with errors', as: 'visitor', heading: 'resend.title',
      open: async (p) => {
        await p.goto('/verify/resend');
        await submit(p, mainForm(p, '/verify/resend'));
      },
      expect: formErrors(['email']),
    },
    { name: 'forgot password', as: 'visitor', heading: 'forgot.title', open: (p) => p.goto('/password/forgot') },
    {
      name: 'forgot password, with errors', as: 'visitor', heading: 'forgot.title',
      open: async (p) => {
        await p.goto('/password/forgot');
        await mainForm(p, '/password/forgot').locator('#email').fill('nope');
        await submit(p, mainForm(p, '/password/forgot'));
      },
      expect: formErrors(['email']),
    },
    {
      name: 'forgot password: link sent', as: 'visitor', heading: 'forgot.sent_title',
      open: async (p) => {
        await p.goto('/password/forgot');
        await mainForm(p, '/password/forgot').locator('#email').fill(uniqueEmail('forgetful'));
        await submit(p, mainForm(p, '/password/forgot'));
      },
    },
    {
      name: 'choose a new password (real link)', as: 'visitor', heading: 'reset.title',
      open: async (p) => p.goto(await resetLink(p)),
    },
    {
      name: 'choose a new password, with errors', as: 'visitor', heading: 'reset.title',
      open: async (p) => {
        await p.goto(await resetLink(p));
        await mainForm(p, '/password/reset').locator('#password').fill('short');
        await submit(p, mainForm(p, '/password/reset'));
      },
      expect: formErrors(['password']),
    },
    { name: 'reset link that does not work', as: 'visitor', heading: 'reset.failed_title', open: (p) => p.goto('/password/reset?token=bad') },
    {
      name: 'page not found (404)', as: 'visitor', heading: 'error.title',
      open: async (p) => {
        const res = await p.goto('/no/such/page');
        assert.equal(res.status(), 404);
      },
    },
    { name: 'my account', as: 'steward', heading: 'account.title', open: (p) => p.goto('/account') },
    {
      name: 'my account, a new API token shown once', as: 'steward', heading: 'account.title',
      open: async (p) => {
        await p.goto('/account');
        const form = mainForm(p, '/account/tokens');
        await form.locator('#token_name').fill(`axe ${lang}`);
        await submit(p, form);
      },
      expect: async (p) => {
        const box = p.locator('main .secret');
        await box.getByRole('heading', { name: T('account.token_created') }).waitFor();
        assert.match(await box.getByLabel(T('account.token_secret')).inputValue(), /^samen_/);
      },
    },
    {
      name: 'my account, with errors', as: 'steward', heading: 'account.title',
      open: async (p) => {
        await p.goto('/account');
        await submit(p, mainForm(p, '/account/tokens'));
      },
      expect: formErrors(['token_name']),
    },
    { name: 'people', as: 'steward', heading: 'people.title', open: (p) => p.goto('/admin/people') },
    { name: 'audit log', as: 'steward', heading: 'audit.title', open: (p) => p.goto('/admin/audit') },
    { name: 'outbox', as: 'steward', heading: 'outbox.title', open: (p) => p.goto('/admin/outbox') },
    { name: 'log out (confirmation page)', as: 'steward', heading: 'logout.title', open: (p) => p.goto('/logout') },
    {
      name: 'no access (403)', as: 'member', heading: 'error.title',
      open: async (p) => {
        const res = await p.goto('/admin/people');
        assert.equal(res.status(), 403);
      },
    },
  ];
}

// A check that cannot fail proves nothing: break a page on purpose and make
// sure axe-core, as set up here, says so.
it('axe-core reports a field without a label', { timeout: 60_000 }, async () => {
  const page = await site.newPage({ lang: 'nl' });
  await page.goto('/signup');
  await page.locator('label[for=email]').evaluate((label) => label.remove());
  const results = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const label = results.violations.find((v) => v.id === 'label');
  assert.ok(label, `axe-core did not report the missing label: ${formatViolations(results.violations)}`);
  assert.deepEqual(label.nodes.map((n) => n.target.join(' ')), ['#email']);
  assert.match(formatViolations(results.violations), /label \[critical\].*\n.*\n\s+at #email/);
  await page.context().close();
});

for (const lang of LANGUAGES) {
  describe(`axe-core, ${lang === 'nl' ? 'Dutch' : 'English'}`, () => {
    const who = {};
    before(async () => {
      who.visitor = await site.newPage({ lang });
      who.steward = await site.stewardPage(lang);
      who.member = await site.newPage({ lang });
      await login(who.member, DEMO.member.email, DEMO.member.password);
    });

    for (const entry of pagesFor(lang)) {
      it(entry.name, { timeout: 60_000 }, async () => {
        const page = who[entry.as];
        await entry.open(page);
        assert.equal(await htmlLang(page), lang);
        assert.equal(await h1(page), t(lang, entry.heading));
        if (entry.expect) await entry.expect(page);
        await axe(page, `${entry.name} [${lang}]`);
      });
    }
  });
}
