// The toolbox as people use it: axe-core on every toolbox page in Dutch and
// in English (the catalogue, a tool, its history, the self-scan and its
// report, saved scans, the advisor, the guides, and the stewards' forms); the
// self-scan done with the keyboard only, also saved to an initiative; the
// scan, the advisor and the catalogue filter without JavaScript; and what a
// user checks: the report prints with its plan, a private scan stays
// private until it is shared, and a steward's edit shows, is kept in the
// history and can be undone.

import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEMO, LANGUAGES, assertFocusVisible, axe, focused, formErrors, h1, htmlLang, login, mainForm, memberInitiatives, nameOf, notice, press,
  pressEnterToSubmit, repoRoot, submit, t, tabTo, typeInto, uniqueWord, useSite,
} from '../lib/samen.mjs';


const site = await useSite();

// The catalogue and the guides as samen ships them, so the tests assert what
// a reader sees without copying names and texts.
const catalogue = JSON.parse(await readFile(join(repoRoot, 'internal', 'toolbox', 'catalogue.json'), 'utf8'));
const tool = (id) => {
  const found = catalogue.find((x) => x.id === id);
  assert.ok(found, `no tool ${id} in catalogue.json`);
  return found;
};

/** guideTitle reads a shipped guide's title: its file's first line, "# Title". */
async function guideTitle(id, lang) {
  const text = await readFile(join(repoRoot, 'internal', 'toolbox', 'guides', `${id}.${lang}.md`), 'utf8');
  const m = text.match(/^#\s+(.+)$/m);
  assert.ok(m, `guide ${id}.${lang}.md starts with a heading`);
  return m[1].trim();
}
const GUIDE = 'whatsapp-to-signal-or-matrix';


/** status returns the HTTP status of the page now shown, as loaded. */
async function statusOf(page, path) {
  const res = await page.goto(path);
  return res.status();
}

/**
 * answerScan fills the self-scan form on the page with the answers of a
 * typical initiative: its member list in a Google Drive document anyone with
 * the link can open, a WhatsApp group, no backups, one volunteer for the IT,
 * and supporters to reach.
 */
async function answerScan(form, { tools = ['google-drive', 'whatsapp'] } = {}) {
  for (const id of tools) await form.locator(`[id="tool-${id}"]`).check();
  await form.locator('[id="member_data-shared_document"]').check();
  await form.locator('[id="access-anyone_with_link"]').check();
  await form.locator('[id="backups-no"]').check();
  await form.locator('#maintainers').fill('1');
  await form.locator('[id="reach-supporters"]').check();
}

/**
 * saveScan has the signed-in member save a scan to one of their
 * initiatives, through the form, and returns the saved scan's id.
 */
async function saveScan(page, lang, initiative, { shared = false } = {}) {
  const id = await site.initiativeId(initiative.name);
  await page.goto('/toolbox/scan');
  const form = mainForm(page, '/toolbox/scan');
  await answerScan(form);
  await form.locator(`[id="initiative-${id}"]`).check();
  if (shared) await form.locator('#shared').check();
  await submit(page, form);
  const m = new URL(page.url()).pathname.match(/^\/toolbox\/scans\/(\d+)$/);
  assert.ok(m, `saving the scan led to ${page.url()}, not /toolbox/scans/{id}`);
  assert.equal(await notice(page), t(lang, 'notice.scan_saved'));
  return Number(m[1]);
}

// One saved scan per file for the axe pages, on the member's first
// initiative; made once, by a member page of its own.
let axeScan;
async function axeScanId() {
  if (axeScan === undefined) {
    const page = await site.newPage({ lang: 'nl' });
    await login(page, DEMO.member.email, DEMO.member.password);
    axeScan = await saveScan(page, 'nl', memberInitiatives[0]);
    await page.context().close();
  }
  return axeScan;
}

// Each entry opens one page (in the state named) on the page object it gets.
// `as` says who looks: a visitor, the demo steward or the demo member.
// `heading` is the message key of the <h1> the page must show (or a
// function returning the text it must be), so a test cannot pass by
// checking the wrong page; `expect` is a further check.
function pagesFor(lang) {
  const T = (key, vars) => t(lang, key, vars);
  const cardNames = (p) => p.locator('main .cards h3 a').allInnerTexts();
  return [
    {
      name: 'catalogue', as: 'visitor', heading: 'toolbox.title', open: (p) => p.goto('/toolbox'),
      expect: async (p) => {
        assert.ok((await cardNames(p)).includes('Nextcloud'), 'the catalogue lists Nextcloud');
        await p.locator('#bigtech-title').waitFor();
      },
    },
    {
      name: 'catalogue: what do you want to replace? WhatsApp', as: 'visitor', heading: 'toolbox.title',
      open: (p) => p.goto('/toolbox?replaces=whatsapp'),
      expect: async (p) => {
        assert.equal((await p.locator('#replace-title').innerText()).trim(), T('toolbox.instead_of', { name: 'WhatsApp' }));
        assert.equal(await p.locator('#replaces').inputValue(), 'whatsapp');
        const names = await cardNames(p);
        assert.ok(names.includes('Signal') && names.includes('Element'), `alternatives to WhatsApp: ${names}`);
      },
    },
    {
      name: 'catalogue: one category', as: 'visitor', heading: 'toolbox.title',
      open: (p) => p.goto('/toolbox?category=deciding'),
      expect: async (p) => {
        assert.equal(await p.locator('#category').inputValue(), 'deciding');
        assert.deepEqual(await p.locator('main section[aria-labelledby^="cat-"] h2').allInnerTexts(), [T('toolbox.category.deciding')]);
        assert.ok((await cardNames(p)).includes('Loomio'));
      },
    },
    {
      name: 'catalogue: nothing found', as: 'visitor', heading: 'toolbox.title',
      open: (p) => p.goto('/toolbox?q=nothingmatches'),
      expect: async (p) => {
        assert.equal((await p.locator('main p[role=status]').innerText()).trim(), T('toolbox.count.other', { n: 0 }));
        await p.getByText(T('toolbox.none_found'), { exact: true }).waitFor();
      },
    },
    {
      name: 'a tool: Nextcloud', as: 'visitor', heading: () => 'Nextcloud',
      open: (p) => p.goto('/toolbox/tools/nextcloud'),
      expect: async (p) => {
        await p.locator('#hosting-title').waitFor();
        assert.equal(await p.getByRole('link', { name: T('toolbox.form.edit_title') }).count(), 0, 'a visitor has no edit link');
      },
    },
    {
      name: 'a big-tech product: WhatsApp', as: 'visitor', heading: () => 'WhatsApp',
      open: (p) => p.goto('/toolbox/tools/whatsapp'),
      expect: async (p) => {
        await p.locator('main').getByText(T('toolbox.tool.big_tech_note'), { exact: true }).waitFor();
        assert.equal((await p.locator('#alt-title').innerText()).trim(), T('toolbox.tool.alternatives', { name: 'WhatsApp' }));
      },
    },
    {
      name: 'a co-operative hoster: Disroot', as: 'visitor', heading: () => 'Disroot',
      open: (p) => p.goto('/toolbox/tools/disroot'),
      expect: async (p) => assert.equal((await p.locator('#offers-title').innerText()).trim(), T('toolbox.tool.offers')),
    },
    {
      name: 'history of a tool', as: 'visitor', heading: () => `${T('toolbox.history.title')}: Nextcloud`,
      open: (p) => p.goto('/toolbox/tools/nextcloud/history'),
      expect: async (p) => assert.ok(await p.locator('main .revision').count() >= 1, 'the history lists a version'),
    },
    {
      name: 'self-scan', as: 'visitor', heading: 'toolbox.scan.title', open: (p) => p.goto('/toolbox/scan'),
      expect: async (p) => {
        await p.getByText(T('toolbox.scan.anonymous'), { exact: true }).waitFor();
        assert.equal(await p.locator('fieldset#initiative').count(), 0, 'a visitor cannot save a scan');
      },
    },
    {
      name: 'self-scan, with errors (no tool ticked)', as: 'visitor', heading: 'toolbox.scan.title',
      open: async (p) => {
        await p.goto('/toolbox/scan');
        await p.locator('[id="member_data-paper"]').check();
        await submit(p, mainForm(p, '/toolbox/scan'));
      },
      expect: async (p) => {
        await formErrors(lang, ['tools'])(p);
        assert.equal((await p.locator('#tools-error').innerText()).trim(), T('field.tools.required'));
        assert.equal(await p.locator('[id="member_data-paper"]').isChecked(), true, 'the answers given are kept');
      },
    },
    {
      name: 'self-scan report', as: 'visitor', heading: 'toolbox.report.title',
      open: async (p) => {
        await p.goto('/toolbox/scan');
        await answerScan(mainForm(p, '/toolbox/scan'));
        await submit(p, mainForm(p, '/toolbox/scan'));
      },
      expect: async (p) => {
        assert.ok(await p.locator('main ul.risks > li').count() > 0, 'the report lists risks');
        assert.equal((await p.locator('main ol.plan > li h3').first().innerText()).trim(), T('toolbox.step.close_link'));
      },
    },
    { name: 'stack advisor', as: 'visitor', heading: 'toolbox.advisor.title', open: (p) => p.goto('/toolbox/advisor') },
    {
      name: 'stack advisor, answered', as: 'visitor', heading: 'toolbox.advisor.title',
      open: (p) => p.goto('/toolbox/advisor?size=10_50&uses=chat&uses=video&uses=files&skills=none&budget=low&reach=members'),
      expect: async (p) => {
        assert.equal((await p.locator('#advice-title').innerText()).trim(), T('toolbox.advisor.advice'));
        assert.ok(await p.locator('main section .cards > li').count() >= 3, 'a pick for each need');
        assert.equal(await p.locator('[id="size-10_50"]').isChecked(), true, 'the answers stay in the form');
      },
    },
    {
      name: 'stack advisor, with errors', as: 'visitor', heading: 'toolbox.advisor.title',
      open: (p) => p.goto('/toolbox/advisor?size=huge&skills=&budget=none'),
      expect: formErrors(lang, ['size', 'skills']),
    },
    {
      name: 'migration guides', as: 'visitor', heading: 'toolbox.guides.title', open: (p) => p.goto('/toolbox/guides'),
      expect: async (p) => p.getByRole('link', { name: await guideTitle(GUIDE, lang) }).waitFor(),
    },
    {
      name: 'a migration guide', as: 'visitor', heading: () => guideTitle(GUIDE, lang),
      open: (p) => p.goto(`/toolbox/guides/${GUIDE}`),
      expect: async (p) => assert.ok(await p.locator('main article h2').count() > 0, 'the guide has sections'),
    },
    {
      name: 'history of a guide', as: 'visitor', heading: async () => `${T('toolbox.history.title')}: ${await guideTitle(GUIDE, lang)}`,
      open: (p) => p.goto(`/toolbox/guides/${GUIDE}/history`),
    },
    // The stewards' pages.
    { name: 'new tool', as: 'steward', heading: 'toolbox.form.new_title', open: (p) => p.goto('/toolbox/tools/new') },
    {
      name: 'new tool, with errors', as: 'steward', heading: 'toolbox.form.new_title',
      open: async (p) => {
        await p.goto('/toolbox/tools/new');
        await submit(p, mainForm(p, '/toolbox/tools/new'));
      },
      expect: formErrors(lang, ['name']),
    },
    {
      name: 'edit a tool', as: 'steward', heading: 'toolbox.form.edit_title', open: (p) => p.goto('/toolbox/tools/nextcloud/edit'),
      expect: async (p) => assert.equal(await p.locator('#name').inputValue(), 'Nextcloud'),
    },
    {
      name: 'edit a tool, with errors', as: 'steward', heading: 'toolbox.form.edit_title',
      open: async (p) => {
        await p.goto('/toolbox/tools/nextcloud/edit');
        const form = mainForm(p, '/toolbox/tools/nextcloud/edit');
        await form.locator('#name').fill('');
        await form.locator('#licence').fill('GPL-9');
        await submit(p, form);
      },
      expect: async (p) => {
        await formErrors(lang, ['name', 'licence'])(p);
        assert.equal((await p.locator('#licence-error').innerText()).trim(), T('field.licence.invalid'));
        assert.equal(await p.locator('#licence').inputValue(), 'GPL-9', 'what was typed is kept');
      },
    },
    { name: 'import the catalogue', as: 'steward', heading: 'toolbox.import.title', open: (p) => p.goto('/toolbox/import') },
    {
      name: 'import the catalogue, a broken file', as: 'steward', heading: 'toolbox.import.title',
      open: async (p) => {
        await p.goto('/toolbox/import');
        const form = mainForm(p, '/toolbox/import');
        await form.locator('#file').setInputFiles({ name: 'tools.json', mimeType: 'application/json', buffer: Buffer.from('{"broken": ') });
        await submit(p, form);
      },
      expect: formErrors(lang, ['file']),
    },
    {
      name: 'aggregates of the scans', as: 'steward', heading: 'toolbox.aggregates.title',
      open: async (p) => {
        await axeScanId();
        await p.goto('/toolbox/aggregates');
      },
    },
    { name: 'new guide', as: 'steward', heading: 'toolbox.guide_form.new_title', open: (p) => p.goto('/toolbox/guides/new') },
    {
      name: 'new guide, with errors', as: 'steward', heading: 'toolbox.guide_form.new_title',
      open: async (p) => {
        await p.goto('/toolbox/guides/new');
        await submit(p, mainForm(p, '/toolbox/guides/new'));
      },
      expect: formErrors(lang, ['title_nl', 'title_en']),
    },
    {
      name: 'edit a guide', as: 'steward', heading: 'toolbox.guide_form.edit_title', open: (p) => p.goto(`/toolbox/guides/${GUIDE}/edit`),
      expect: async (p) => assert.equal(await p.locator('#title_nl').inputValue(), await guideTitle(GUIDE, 'nl')),
    },
    // The member, editor of the first demo initiatives.
    {
      name: 'our scans', as: 'member', heading: 'toolbox.scans.title',
      open: async (p) => {
        await axeScanId();
        await p.goto('/toolbox/scans');
      },
      expect: async (p) => {
        await p.locator(`main table a[href="/toolbox/scans/${await axeScanId()}"]`).waitFor();
        await p.getByRole('heading', { name: memberInitiatives[0].name }).waitFor();
      },
    },
    {
      name: 'self-scan, with the choice to save it', as: 'member', heading: 'toolbox.scan.title', open: (p) => p.goto('/toolbox/scan'),
      expect: async (p) => {
        const group = p.locator('fieldset#initiative');
        assert.equal((await group.locator(':scope > legend').innerText()).trim(), T('toolbox.scan.save'));
        assert.equal(await group.locator('#initiative-none').isChecked(), true, 'not saving is the default');
        for (const i of memberInitiatives) {
          await group.getByLabel(i.name, { exact: true }).waitFor();
        }
      },
    },
    {
      name: 'self-scan with the choice to save it, with errors', as: 'member', heading: 'toolbox.scan.title',
      open: async (p) => {
        await p.goto('/toolbox/scan');
        // No tool, a number of people below zero, a cost that is no number.
        await mainForm(p, '/toolbox/scan').locator('#maintainers').fill('-1');
        await mainForm(p, '/toolbox/scan').locator('#monthly_cost').fill('lots');
        await submit(p, mainForm(p, '/toolbox/scan'));
      },
      expect: async (p) => {
        await formErrors(lang, ['tools', 'maintainers', 'monthly_cost'])(p);
        assert.equal((await p.locator('#monthly_cost-error').innerText()).trim(), T('field.number.invalid'));
      },
    },
    {
      name: 'a saved scan, as its editor', as: 'member', heading: () => `${T('toolbox.report.title')}: ${memberInitiatives[0].name}`,
      open: async (p) => p.goto(`/toolbox/scans/${await axeScanId()}`),
      expect: async (p) => {
        await p.getByRole('button', { name: T('toolbox.report.make_shared') }).waitFor();
        await p.getByRole('link', { name: T('toolbox.report.again') }).waitFor();
      },
    },
  ];
}

for (const lang of LANGUAGES) {
  describe(`axe-core on the toolbox, ${lang === 'nl' ? 'Dutch' : 'English'}`, () => {
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
        const heading = typeof entry.heading === 'function' ? await entry.heading(page) : t(lang, entry.heading);
        assert.equal(await h1(page), heading);
        if (entry.expect) await entry.expect(page);
        await axe(page, `${entry.name} [${lang}]`);
      });
    }
  });
}

describe('the self-scan, keyboard only', () => {
  /** space presses Space on the focused box and checks that it is ticked. */
  async function space(page, selector) {
    const f = await press(page, 'Space');
    assertFocusVisible(f);
    assert.equal(await page.locator(selector).isChecked(), true, `Space ticked ${selector}`);
  }

  /**
   * arrowTo presses an arrow key in a radio group until the radio matching
   * selector is chosen; focus moves along with the choice.
   */
  async function arrowTo(page, selector, key = 'ArrowDown', max = 10) {
    for (let i = 0; i < max; i++) {
      if (await page.locator(selector).isChecked()) break;
      const f = await press(page, key);
      assertFocusVisible(f);
      assert.equal(await page.evaluate(() => document.activeElement.checked), true, `${key} chose the radio it moved to, ${nameOf(f)}`);
    }
    assert.equal(await page.locator(selector).isChecked(), true, `${max} presses of ${key} did not choose ${selector}`);
    assert.ok(await page.evaluate((s) => document.activeElement.matches(s), selector), `focus is on ${selector}`);
  }

  it('ticks tools, answers the questions and gets the report', { timeout: 90_000 }, async () => {
    const lang = 'nl';
    const page = await site.newPage({ lang });
    await page.goto('/toolbox/scan');

    // Tab to the tools, Space ticks them.
    let f = await tabTo(page, '[id="tool-google-drive"]', 60);
    assert.equal(f.text, 'Google Drive');
    await space(page, '[id="tool-google-drive"]');
    await tabTo(page, '[id="tool-whatsapp"]', 60);
    await space(page, '[id="tool-whatsapp"]');

    // Where member data lives: a radio group. Tab enters it on its first
    // option; the arrow keys move through it and choose as they go.
    f = await tabTo(page, 'input[name="member_data"]', 200);
    assert.equal(f.id, 'member_data-shared_document', `Tab entered the group at ${nameOf(f)}`);
    await arrowTo(page, '[id="member_data-spreadsheet_file"]', 'ArrowDown');
    await arrowTo(page, '[id="member_data-shared_document"]', 'ArrowUp');

    // The next Tab leaves the group for the next question: who can open it.
    f = await press(page, 'Tab');
    assertFocusVisible(f);
    assert.equal(f.id, 'access-anyone_with_link', `one Tab after the member-data group, focus is on ${nameOf(f)}`);
    await space(page, '[id="access-anyone_with_link"]');

    await tabTo(page, 'input[name="backups"]', 5);
    await arrowTo(page, '[id="backups-no"]', 'ArrowDown');

    f = await tabTo(page, '#maintainers', 10);
    assert.equal(f.describedBy, 'maintainers-hint');
    await typeInto(page, '1');

    await tabTo(page, '[id="reach-supporters"]', 10);
    await space(page, '[id="reach-supporters"]');

    f = await tabTo(page, 'main form[action="/toolbox/scan"] button[type=submit]', 10);
    assert.equal(f.text, t(lang, 'toolbox.scan.submit'));
    await pressEnterToSubmit(page);

    assert.equal(await h1(page), t(lang, 'toolbox.report.title'));
    const risks = await page.locator('main ul.risks > li').allInnerTexts();
    assert.ok(risks.length > 0, 'the report lists risks');
    assert.ok(risks.some((r) => r.includes(t(lang, 'toolbox.risk.link_shared_member_data'))), `the link-shared member list is a risk: ${risks.join(' | ')}`);
    assert.ok(risks.some((r) => r.includes(t(lang, 'toolbox.risk.single_maintainer'))), 'one volunteer for the IT is a risk');
    const steps = await page.locator('main ol.plan > li h3').allInnerTexts();
    assert.ok(steps.length > 0, 'the report has a migration plan');
    assert.equal(steps[0].trim(), t(lang, 'toolbox.step.close_link'), `the plan starts with closing the link: ${steps.join(' | ')}`);
    await page.context().close();
  });

  it('a member saves the scan to their initiative and repeats it', { timeout: 90_000 }, async () => {
    const lang = 'en';
    const initiative = memberInitiatives[2];
    const id = await site.initiativeId(initiative.name);
    const page = await site.newPage({ lang });
    await login(page, DEMO.member.email, DEMO.member.password);
    await page.goto('/toolbox/scan');

    await tabTo(page, '[id="tool-whatsapp"]', 80);
    await space(page, '[id="tool-whatsapp"]');
    // "Save this scan": Tab enters the group on its chosen option, "don't
    // save"; the arrows choose the initiative.
    let f = await tabTo(page, 'input[name="initiative"]', 200);
    assert.equal(f.id, 'initiative-none', `Tab entered the save choice at ${nameOf(f)}`);
    assert.equal(f.text, t(lang, 'toolbox.scan.dont_save'));
    await arrowTo(page, `[id="initiative-${id}"]`, 'ArrowDown');
    f = await focused(page);
    assert.equal(f.text, initiative.name);

    await tabTo(page, 'main form[action="/toolbox/scan"] button[type=submit]', 10);
    await pressEnterToSubmit(page);
    const m = new URL(page.url()).pathname.match(/^\/toolbox\/scans\/(\d+)$/);
    assert.ok(m, `saving led to ${page.url()}`);
    assert.equal(await notice(page), t(lang, 'notice.scan_saved'));
    assert.equal(await h1(page), `${t(lang, 'toolbox.report.title')}: ${initiative.name}`);

    // "Repeat this scan" is a Tab stop, and Enter on it opens the form with
    // the answers given.
    f = await tabTo(page, 'main a[href^="/toolbox/scan?from="]', 80);
    assert.equal(f.text, t(lang, 'toolbox.report.again'));
    assert.equal(f.href, `/toolbox/scan?from=${m[1]}`);
    await pressEnterToSubmit(page);
    assert.equal(await h1(page), t(lang, 'toolbox.scan.title'));
    assert.equal(await page.locator('[id="tool-whatsapp"]').isChecked(), true, 'the repeated scan starts with the tools of the last');
    assert.equal(await page.locator(`[id="initiative-${id}"]`).isChecked(), true, 'and is saved to the same initiative');
    await page.context().close();
  });
});

describe('the toolbox without JavaScript', () => {
  it('the self-scan form gives the report', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ javaScriptEnabled: false, lang: 'nl' });
    await page.goto('/toolbox/scan');
    assert.equal(await page.locator('script').count(), 0, 'the scan needs no scripts');
    const form = mainForm(page, '/toolbox/scan');
    await form.getByLabel('Google Drive', { exact: true }).check();
    await form.getByLabel('WhatsApp', { exact: true }).check();
    await form.getByLabel(t('nl', 'toolbox.scan.member_data.shared_document'), { exact: true }).check();
    await form.getByLabel(t('nl', 'toolbox.scan.access.anyone_with_link'), { exact: true }).check();
    await form.getByLabel(t('nl', 'toolbox.scan.backups.no'), { exact: true }).check();
    await form.getByLabel(t('nl', 'toolbox.scan.maintainers')).fill('1');
    await submit(page, form);
    assert.equal(new URL(page.url()).pathname, '/toolbox/scan');
    assert.equal(await h1(page), t('nl', 'toolbox.report.title'));
    assert.ok(await page.locator('main ul.risks > li').count() > 0, 'the report lists risks');
    assert.equal((await page.locator('main ol.plan > li h3').first().innerText()).trim(), t('nl', 'toolbox.step.close_link'));
    await page.context().close();
  });

  it('the stack advisor answers its form', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ javaScriptEnabled: false, lang: 'en' });
    await page.goto('/toolbox/advisor');
    const form = mainForm(page, '/toolbox/advisor');
    await form.getByLabel(t('en', 'toolbox.advisor.size.10_50'), { exact: true }).check();
    await form.getByLabel(t('en', 'toolbox.advisor.skills.none'), { exact: true }).check();
    await form.getByLabel(t('en', 'toolbox.advisor.budget.low'), { exact: true }).check();
    await submit(page, form);
    const u = new URL(page.url());
    assert.equal(u.pathname, '/toolbox/advisor');
    assert.equal(u.searchParams.get('size'), '10_50', 'the answers are in the address, to bookmark and share');
    assert.equal((await page.locator('#advice-title').innerText()).trim(), t('en', 'toolbox.advisor.advice'));
    assert.ok(await page.locator('main section .cards > li').count() > 0, 'the advice names tools');
    await page.context().close();
  });

  it('the catalogue filter: what do you want to replace?', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ javaScriptEnabled: false, lang: 'nl' });
    await page.goto('/toolbox');
    const form = mainForm(page, '/toolbox');
    await form.getByLabel(t('nl', 'toolbox.replace_question')).selectOption({ label: 'WhatsApp' });
    await submit(page, form);
    assert.equal(new URL(page.url()).searchParams.get('replaces'), 'whatsapp');
    assert.equal((await page.locator('#replace-title').innerText()).trim(), t('nl', 'toolbox.instead_of', { name: 'WhatsApp' }));
    const names = await page.locator('main .cards h3 a').allInnerTexts();
    assert.ok(names.includes('Signal') && names.includes('Element'), `alternatives to WhatsApp: ${names}`);
    for (const name of names) {
      const x = catalogue.find((c) => c.name === name);
      assert.ok(x && !x.big_tech, `${name} is an open tool`);
    }
    await page.context().close();
  });
});

describe('what a user checks', () => {
  it('the report prints with its risks and plan', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    await page.goto('/toolbox/scan');
    await answerScan(mainForm(page, '/toolbox/scan'));
    await submit(page, mainForm(page, '/toolbox/scan'));
    assert.equal(await h1(page), t('en', 'toolbox.report.title'));
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.evaluate(() => matchMedia('print').matches), true, 'print media is emulated');
    for (const selector of ['main h1', '#risk-title', 'main ul.risks', '#plan-title', 'main ol.plan', 'main ol.plan > li:first-child h3']) {
      assert.equal(await page.locator(selector).first().isVisible(), true, `${selector} is printed`);
    }
    const steps = page.locator('main ol.plan > li');
    for (let i = 0; i < await steps.count(); i++) {
      assert.equal(await steps.nth(i).isVisible(), true, `step ${i + 1} of the plan is printed`);
    }
    // What only makes sense on the screen is left off the paper.
    for (const selector of ['.site-header nav', '.site-footer', 'main .breadcrumb']) {
      assert.equal(await page.locator(selector).first().isVisible(), false, `${selector} is not printed`);
    }
    await page.emulateMedia({ media: 'screen' });
    await page.context().close();
  });

  it('a saved scan is private until the member shares it', { timeout: 90_000 }, async () => {
    const lang = 'nl';
    const initiative = memberInitiatives[1];
    const member = await site.newPage({ lang });
    await login(member, DEMO.member.email, DEMO.member.password);
    const id = await saveScan(member, lang, initiative);
    const path = `/toolbox/scans/${id}`;
    assert.match(await member.locator('main').innerText(), new RegExp(t(lang, 'toolbox.report.private')));

    // Nobody else sees it: not a visitor, not the steward.
    const visitor = await site.newPage({ lang });
    assert.equal(await statusOf(visitor, path), 404, 'a visitor gets 404 for a private scan');
    assert.equal(await h1(visitor), t(lang, 'error.title'));
    assert.doesNotMatch(await visitor.locator('main').innerText(), new RegExp(initiative.name));
    const steward = await site.stewardPage(lang);
    assert.equal(await statusOf(steward, path), 404, 'the steward does not see a private scan either');

    // The member shares it with the button on its page.
    await Promise.all([
      member.waitForURL((u) => u.pathname === path && u.searchParams.get('notice') !== null),
      member.getByRole('button', { name: t(lang, 'toolbox.report.make_shared') }).click(),
    ]);
    assert.equal(await notice(member), t(lang, 'notice.scan_shared'));
    await member.getByRole('button', { name: t(lang, 'toolbox.report.make_private') }).waitFor();

    // Now the visitor sees it, without the editor's buttons.
    assert.equal(await statusOf(visitor, path), 200);
    assert.equal(await h1(visitor), `${t(lang, 'toolbox.report.title')}: ${initiative.name}`);
    assert.match(await visitor.locator('main').innerText(), new RegExp(t(lang, 'toolbox.report.shared')));
    assert.ok(await visitor.locator('main ol.plan > li').count() > 0, 'the visitor sees the plan');
    assert.equal(await visitor.getByRole('button', { name: t(lang, 'toolbox.report.make_private') }).count(), 0);
    assert.equal(await visitor.getByRole('link', { name: t(lang, 'toolbox.report.again') }).count(), 0);

    // And private again: gone for the visitor.
    await member.getByRole('button', { name: t(lang, 'toolbox.report.make_private') }).click();
    await member.waitForURL((u) => u.pathname === path && u.searchParams.get('notice') !== null);
    assert.equal(await notice(member), t(lang, 'notice.scan_private'));
    assert.equal(await statusOf(visitor, path), 404);
    for (const p of [member, visitor]) await p.context().close();
  });

  it("a shared scan shows on the initiative's page, as its button says", { timeout: 90_000 }, async () => {
    const lang = 'en';
    const initiative = memberInitiatives[1];
    const member = await site.newPage({ lang });
    await login(member, DEMO.member.email, DEMO.member.password);
    const id = await saveScan(member, lang, initiative, { shared: true });
    assert.match(await member.locator('main').innerText(), new RegExp(t(lang, 'toolbox.report.shared')));
    const visitor = await site.newPage({ lang });
    await visitor.goto(`/atlas/${await site.initiativeId(initiative.name)}`);
    assert.equal(await h1(visitor), initiative.name);
    assert.equal(await visitor.locator(`main a[href="/toolbox/scans/${id}"]`).count(), 1,
      `the initiative's page links to its shared scan /toolbox/scans/${id} ("${t(lang, 'toolbox.report.make_shared')}")`);
    for (const p of [member, visitor]) await p.context().close();
  });

  it('a steward edits a tool, the history keeps both versions, and the old one comes back', { timeout: 90_000 }, async () => {
    const lang = 'nl';
    const nextcloud = tool('nextcloud');
    const page = await site.stewardPage(lang);
    const revisions = page.locator('main ol.revisions > li.revision');

    await page.goto('/toolbox/tools/nextcloud/history');
    const before = await revisions.count();
    assert.ok(before >= 1);

    await page.goto('/toolbox/tools/nextcloud');
    const old = (await page.locator('main .lead').innerText()).trim();
    assert.equal(old, nextcloud.description.nl, 'the tool page shows the Dutch description');
    await page.getByRole('link', { name: t(lang, 'toolbox.form.edit_title') }).click();
    await page.waitForURL('**/toolbox/tools/nextcloud/edit');
    const form = mainForm(page, '/toolbox/tools/nextcloud/edit');
    const description = form.getByLabel(t(lang, 'toolbox.field.description_nl'));
    assert.equal(await description.inputValue(), old);
    const changed = `Bestanden, agenda's en taken delen op je eigen server (${uniqueWord()}).`;
    await description.fill(changed);
    await form.getByLabel(t(lang, 'toolbox.field.note'), { exact: false }).fill('Kortere beschrijving');
    await submit(page, form);
    assert.equal(new URL(page.url()).pathname, '/toolbox/tools/nextcloud');
    assert.equal(await notice(page), t(lang, 'notice.tool_saved'));
    assert.equal((await page.locator('main .lead').innerText()).trim(), changed);

    // The English description is left as it was.
    const english = await site.newPage({ lang: 'en' });
    await english.goto('/toolbox/tools/nextcloud');
    assert.equal((await english.locator('main .lead').innerText()).trim(), nextcloud.description.en);
    await english.context().close();

    // The history: one version more, the newest current, with the note and
    // what changed.
    await page.getByRole('link', { name: t(lang, 'toolbox.history.title') }).click();
    await page.waitForURL('**/toolbox/tools/nextcloud/history');
    assert.equal(await revisions.count(), before + 1, 'the edit adds a version');
    if (site.server.database === 'sqlite') assert.equal(await revisions.count(), 2, 'a fresh catalogue: the first version and the edit');
    const newest = revisions.first();
    assert.match(await newest.innerText(), new RegExp(`\\(${t(lang, 'toolbox.history.current')}\\)`));
    assert.match(await newest.innerText(), /Kortere beschrijving/);
    const row = newest.locator('tbody tr').filter({ has: page.locator('th', { hasText: 'description' }) });
    assert.equal(await row.count(), 1, 'the newest version shows the description changed');
    assert.match(await row.innerText(), new RegExp(changed.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
    assert.equal(await newest.getByRole('button').count(), 0, 'the current version has no restore button');

    // "Restore this version" on the one before brings the old text back.
    const previous = revisions.nth(1);
    const restore = previous.getByRole('button', { name: new RegExp(`^${t(lang, 'toolbox.history.restore')}`) });
    assert.equal(await restore.count(), 1);
    await Promise.all([
      page.waitForURL((u) => u.pathname === '/toolbox/tools/nextcloud'),
      restore.click(),
    ]);
    assert.equal(await notice(page), t(lang, 'notice.tool_restored'));
    assert.equal((await page.locator('main .lead').innerText()).trim(), old);
    await page.goto('/toolbox/tools/nextcloud/history');
    assert.equal(await revisions.count(), before + 2, 'restoring is a version of its own');
  });
});
