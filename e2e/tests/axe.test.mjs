// axe-core on every page of samen, in Dutch and in English: the forms, the
// forms with their errors, the alerts, the admin pages, the error pages.
// Any WCAG 2.0/2.1 A or AA violation fails the test, and the report names
// each rule, what it asks for and the elements that break it.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  DEMO, LANGUAGES, axe, axeResults, demoInitiatives, formatViolations, h1, htmlLang, login, mainForm, memberInitiatives, proposeInitiative,
  useSite, signUp, submit, t, uniqueEmail, uniqueName,
} from '../lib/samen.mjs';


const site = await useSite();


const strong = 'the quiet canal behind the old market';
let limitedEmail; // one address, made to hit the login rate limit

// Each entry opens one page (in the state named) on the page object it gets.
// `as` says who looks: a visitor, the demo steward, moderator or member.
// `heading` is the message key of the <h1> the page must show (or a
// function of the page returning the text it must be: an initiative's name),
// so a test cannot pass by checking the wrong page; `expect` is a further
// check.
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

  // The demo member edits the first demo initiatives; the first has a
  // contact address, so it can be written to. A word of its summary finds it.
  const editable = memberInitiatives.find((i) => i.contact?.email);
  const searchWord = editable.summary.nl.split(/\s+/)[0];

  /** mapLoaded waits until the map shows its clusters and points. */
  async function mapLoaded(page) {
    await page.locator('.map-panel .map-cluster, .map-panel .map-point').first().waitFor();
    assert.equal(await page.locator('.map-panel').isVisible(), true, 'the map panel is shown');
    await page.locator('.map-status', { hasText: /\d/ }).waitFor();
  }

  /**
   * waitingWork gives the moderators something to look at: a proposal by
   * the member and a report by a visitor (once per language).
   */
  async function waitingWork() {
    if (state.proposal) return;
    const name = uniqueName(`Axe ${lang}`);
    const member = await site.newPage({ lang });
    await login(member, DEMO.member.email, DEMO.member.password);
    await proposeInitiative(member, { name });
    assert.equal((await member.getByRole('status').innerText()).trim(), T('notice.initiative_proposed'));
    await member.context().close();
    const visitor = await site.newPage({ lang });
    const reportPath = `/atlas/${await site.initiativeId(demoInitiatives[3].name)}/report`;
    await visitor.goto(reportPath);
    await visitor.locator('#reason-wrong').check();
    await submit(visitor, mainForm(visitor, reportPath));
    assert.equal((await visitor.getByRole('status').innerText()).trim(), T('notice.report_received'));
    await visitor.context().close();
    state.proposal = name;
  }

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
    {
      name: 'a bad map box (400), with what is wrong with it', as: 'visitor', heading: 'error.title',
      open: async (p) => {
        const res = await p.goto('/atlas?bbox=181,1,2,3');
        assert.equal(res.status(), 400);
      },
      expect: async (p) => assert.equal((await p.locator('main .error-fields li').innerText()).trim(), `bbox: ${T('field.bbox.invalid')}`),
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
    // The atlas: the directory with its map, an initiative, its forms, the
    // moderators' queue and the map for other sites.
    {
      name: 'atlas, with the map loaded', as: 'visitor', heading: 'atlas.title',
      open: (p) => p.goto('/atlas'),
      expect: mapLoaded,
    },
    {
      name: 'atlas, searched and filtered', as: 'visitor', heading: 'atlas.title',
      open: (p) => p.goto(`/atlas?q=${encodeURIComponent(searchWord)}&sector=${encodeURIComponent(editable.sectors[0])}`),
      expect: async (p) => {
        assert.equal(await p.locator(`#f-sector-${editable.sectors[0]}`).isChecked(), true);
        assert.equal(await p.locator('#q').inputValue(), searchWord);
        await p.locator('main .results h3 a', { hasText: editable.name }).waitFor();
        await mapLoaded(p);
      },
    },
    {
      name: 'atlas, nothing found', as: 'visitor', heading: 'atlas.title',
      open: (p) => p.goto('/atlas?q=qqqzzzxxyy'),
      expect: async (p) => {
        assert.equal((await p.locator('#result-count').innerText()).trim(), T('atlas.results.other', { n: 0 }));
        await p.getByText(T('atlas.no_results'), { exact: true }).waitFor();
        await p.locator('.map-status', { hasText: T('atlas.map.in_view', { count: 0 }) }).waitFor();
      },
    },
    {
      name: 'an initiative, as a visitor', as: 'visitor', heading: () => editable.name,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}`),
      expect: async (p) => {
        await p.getByRole('link', { name: T('atlas.login_to_edit') }).waitFor();
        assert.equal(await p.getByRole('link', { name: T('atlas.editors.link') }).count(), 0);
      },
    },
    {
      name: 'an initiative, as its editor', as: 'member', heading: () => editable.name,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}`),
      expect: async (p) => {
        await p.getByRole('link', { name: T('atlas.edit'), exact: true }).waitFor();
        await p.getByRole('link', { name: T('atlas.editors.link') }).waitFor();
      },
    },
    {
      name: 'history of an initiative', as: 'visitor', heading: () => `${T('atlas.history.title')}: ${editable.name}`,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}/history`),
      expect: async (p) => assert.ok(await p.locator('main .revision').count() >= 1, 'the history lists a version'),
    },
    {
      name: 'edit an initiative, as its editor', as: 'member', heading: 'atlas.form.edit_title',
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}/edit`),
      expect: async (p) => assert.equal(await p.locator('[id="name"]').inputValue(), editable.name),
    },
    { name: 'propose an initiative', as: 'member', heading: 'atlas.form.new_title', open: (p) => p.goto('/atlas/new') },
    {
      name: 'propose an initiative, with errors', as: 'member', heading: 'atlas.form.new_title',
      open: async (p) => {
        await p.goto('/atlas/new');
        await submit(p, mainForm(p, '/atlas/new'));
      },
      expect: formErrors(['name']),
    },
    {
      name: 'propose an initiative that may be listed already', as: 'member', heading: 'atlas.form.new_title',
      open: (p) => proposeInitiative(p, { name: editable.name, sector: editable.sectors[0] }),
      expect: async (p) => {
        await p.getByRole('heading', { name: T('atlas.form.duplicates_title') }).waitFor();
        await p.locator('main .duplicates').getByRole('link', { name: editable.name }).waitFor();
        await p.getByLabel(T('atlas.form.not_duplicate')).waitFor();
      },
    },
    {
      name: 'report an initiative', as: 'visitor', heading: () => `${T('atlas.report.title')}: ${editable.name}`,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}/report`),
    },
    {
      name: 'report an initiative, with errors', as: 'visitor', heading: () => `${T('atlas.report.title')}: ${editable.name}`,
      open: async (p) => {
        const id = await site.initiativeId(editable.name);
        await p.goto(`/atlas/${id}/report`);
        await submit(p, mainForm(p, `/atlas/${id}/report`));
      },
      expect: async (p) => {
        await p.locator('main .error-summary a[href="#reason"]').waitFor();
        assert.equal(await p.locator('#reason').getAttribute('aria-describedby'), 'reason-error');
      },
    },
    {
      name: 'write to an initiative', as: 'visitor', heading: () => `${T('atlas.contact.title')}: ${editable.name}`,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}/contact`),
    },
    {
      name: 'write to an initiative, with errors', as: 'visitor', heading: () => `${T('atlas.contact.title')}: ${editable.name}`,
      open: async (p) => {
        const id = await site.initiativeId(editable.name);
        await p.goto(`/atlas/${id}/contact`);
        await mainForm(p, `/atlas/${id}/contact`).locator('#email').fill('not an address');
        await submit(p, mainForm(p, `/atlas/${id}/contact`));
      },
      expect: formErrors(['name', 'email', 'message']),
    },
    {
      name: 'editors of an initiative', as: 'member', heading: () => `${T('atlas.editors.title')}: ${editable.name}`,
      open: async (p) => p.goto(`/atlas/${await site.initiativeId(editable.name)}/editors`),
      expect: async (p) => assert.ok(await p.locator('main .editors li').count() >= 1, 'the member is listed as editor'),
    },
    {
      name: 'moderation, with a proposal and a report waiting', as: 'moderator', heading: 'moderation.title',
      open: async (p) => {
        await waitingWork();
        await p.goto('/moderation');
      },
      expect: async (p) => {
        await p.locator('main .queue-item h3', { hasText: state.proposal }).waitFor();
        await p.locator('main table tbody tr').first().waitFor();
      },
    },
    {
      name: 'atlas for another site (embedded, energy)', as: 'visitor', heading: 'atlas.title',
      open: (p) => p.goto('/embed/atlas?sector=energy'),
      expect: async (p) => {
        await mapLoaded(p);
        const energy = demoInitiatives.filter((i) => i.sectors.includes('energy')).length;
        assert.equal((await p.locator('#result-count').innerText()).trim(), T('atlas.results.other', { n: energy }));
      },
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
  const results = await axeResults(page);
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
      who.moderator = await site.newPage({ lang });
      await login(who.moderator, DEMO.moderator.email, DEMO.moderator.password);
    });

    for (const entry of pagesFor(lang)) {
      it(entry.name, { timeout: 60_000 }, async () => {
        const page = who[entry.as];
        await entry.open(page);
        assert.equal(await htmlLang(page), lang);
        const heading = typeof entry.heading === 'function' ? entry.heading(page) : t(lang, entry.heading);
        assert.equal(await h1(page), heading);
        if (entry.expect) await entry.expect(page);
        await axe(page, `${entry.name} [${lang}]`);
      });
    }
  });
}
