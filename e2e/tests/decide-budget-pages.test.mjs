// axe-core on every page of the participatory budgets in Dutch and in
// English: the demo's budget with its result (greedy and Equal Shares side
// by side) as a visitor and as a steward; the form that starts a budget
// (city-wide and in a workspace) and the one that changes it, each also
// with its errors; and a budget in each phase, made through the forms by
// the steward with projects proposed by the demo member: proposals (the
// form to propose, also with its errors), review (the review forms; a
// rejection without a note; voting opened with nothing accepted yet) and
// voting (the basket ballot, also over budget and without "I live there";
// the paper ballots' form with a sheet waiting, also with its errors). The
// demo's own paper page (hundreds of sheets) is left out: axe takes minutes
// on it, and the voting budget's shows the same parts. The decision pages
// are in decide-pages.test.mjs and decide-ballot-pages.test.mjs.

import assert from 'node:assert/strict';
import { formErrors, mainForm, notice, submit, t } from '../lib/samen.mjs';
import { advance, axePages, budgetInVoting, demo, localIn, memberPage, newBudget, propose, signedIn, ws } from '../lib/decide.mjs';

// ---------------------------------------------------------------------------
// A budget in each phase, made once for both languages.

const made = {};
await (async () => {
  const steward = await signedIn('steward', 'nl');
  made.proposals = await newBudget(steward, 'nl', { title: 'Buurtbudget Oost: voorstellen', total: '20000', closesAt: localIn(30) });
  await propose(memberPage, 'nl', made.proposals.path, { title: 'Picknicktafels in het park', cost: 3000 });

  made.review = await newBudget(steward, 'nl', { title: 'Buurtbudget West: beoordeling', total: '20000', kind: 'approval', closesAt: localIn(30) });
  await propose(memberPage, 'nl', made.review.path, { title: 'Een buurtmoestuin', cost: 8000 });
  await propose(memberPage, 'nl', made.review.path, { title: 'Een speeltoestel', cost: 12000 });
  await advance(steward, 'nl', made.review.path, 'review');

  made.voting = await budgetInVoting(steward, 'nl', {
    title: 'Buurtbudget Noord: stemmen', total: '10000', district: 'noord',
    projects: { 'Bankjes aan het water': 4000, 'Een waterpunt': 5000, 'Bomen in de straat': 6000 },
  });
  // A first reading of a paper sheet, so that the sheets are listed.
  await steward.goto(`${made.voting.path}/paper`);
  const paper = mainForm(steward, `${made.voting.path}/paper`);
  await paper.locator('#sheet').fill('N-001');
  await paper.locator('input[name=project]').first().check();
  await submit(steward, paper);
  assert.equal(await notice(steward), t('nl', 'notice.budget_sheet_waiting'));
  await steward.context().close();
})();

// ---------------------------------------------------------------------------
// axe-core on every page.

function pagesFor(lang) {
  const T = (key, vars) => t(lang, key, vars);
  const title = (b) => () => b().title;
  const sent = (path, action, fill) => async (p) => {
    await p.goto(path());
    const form = mainForm(p, action());
    if (fill) await fill(form);
    await submit(p, form);
  };
  return [
    {
      name: 'the demo budget’s result, as a visitor', as: 'visitor', heading: title(() => demo.budget), open: (p) => p.goto(demo.budget.path),
      expect: async (p) => {
        const cols = await p.locator('main #result table thead th').allInnerTexts();
        for (const rule of ['greedy', 'equal-shares']) {
          assert.ok(cols.some((c) => c.includes(T(`budget.rule.${rule}`))), `the result table has a column for ${rule}: ${cols.join(' | ')}`);
        }
      },
    },
    {
      name: 'the demo budget’s result, as a steward', as: 'steward', heading: title(() => demo.budget), open: (p) => p.goto(demo.budget.path),
      expect: async (p) => p.locator(`main a[href="${demo.budget.path}/paper"]`).waitFor(),
    },
    { name: 'new city-wide budget', as: 'steward', heading: 'budget.new.title', open: (p) => p.goto('/budgets/new') },
    {
      name: 'new city-wide budget, with errors (limits that do not fit)', as: 'steward', heading: 'budget.new.title',
      open: sent(() => '/budgets/new', () => '/budgets/new', async (f) => {
        await f.locator('#title').fill('Te krap');
        await f.locator('#total').fill('1000');
        await f.locator('#min_projects').fill('3');
        await f.locator('#max_projects').fill('2');
        await f.locator('#min_cost').fill('2000');
        await f.locator('#closes_at').fill('2020-01-01T12:00');
      }),
      expect: formErrors(lang, ['max_projects', 'min_cost', 'closes_at']),
    },
    { name: 'new budget in a workspace', as: 'core', heading: 'budget.new.title', open: (p) => p.goto(`${ws.base}/budgets/new`) },
    {
      name: 'new budget in a workspace, with errors (no circle)', as: 'core', heading: 'budget.new.title',
      open: sent(() => `${ws.base}/budgets/new`, () => `${ws.base}/budgets/new`, async (f) => {
        for (const box of await f.locator('input[name=circles]').all()) await box.uncheck();
      }),
      expect: formErrors(lang, ['title', 'circles', 'total']),
    },
    {
      name: 'in proposals, as a resident (the form to propose)', as: 'core', heading: title(() => made.proposals), open: (p) => p.goto(made.proposals.path),
      expect: async (p) => mainForm(p, `${made.proposals.path}/propose`).waitFor(),
    },
    {
      name: 'in proposals, a proposal with errors (sent empty)', as: 'core', heading: title(() => made.proposals),
      open: sent(() => made.proposals.path, () => `${made.proposals.path}/propose`), expect: formErrors(lang, ['title', 'description', 'cost']),
    },
    {
      name: 'in proposals, as a visitor', as: 'visitor', heading: title(() => made.proposals), open: (p) => p.goto(made.proposals.path),
      expect: async (p) => p.locator('main #propose a[href^="/login?next="]').waitFor(),
    },
    {
      name: 'in proposals, as the steward (edit, move on)', as: 'steward', heading: title(() => made.proposals), open: (p) => p.goto(made.proposals.path),
      expect: async (p) => mainForm(p, `${made.proposals.path}/advance`).waitFor(),
    },
    { name: 'change a budget', as: 'steward', heading: 'budget.edit.title', open: (p) => p.goto(`${made.proposals.path}/edit`) },
    {
      name: 'change a budget, with errors (no title, no total)', as: 'steward', heading: 'budget.edit.title',
      open: sent(() => `${made.proposals.path}/edit`, () => `${made.proposals.path}/edit`, async (f) => {
        await f.locator('#title').fill('');
        await f.locator('#total').fill('');
      }),
      expect: formErrors(lang, ['title', 'total']),
    },
    {
      name: 'in review, as the steward (a review form per project)', as: 'steward', heading: title(() => made.review), open: (p) => p.goto(made.review.path),
      expect: async (p) => assert.equal(await p.locator(`main form[action="${made.review.path}/review"]`).count(), 2),
    },
    {
      name: 'in review, a rejection without a note', as: 'steward', heading: title(() => made.review),
      open: async (p) => {
        await p.goto(made.review.path);
        const form = p.locator(`main form[action="${made.review.path}/review"]`).first();
        await form.locator('input[value=reject]').check();
        await submit(p, form);
      },
      expect: async (p) => {
        const field = await p.locator('main textarea[aria-invalid=true]').getAttribute('id');
        await formErrors(lang, [field])(p);
      },
    },
    {
      name: 'in review, voting opened with nothing accepted yet', as: 'steward', heading: title(() => made.review),
      open: sent(() => made.review.path, () => `${made.review.path}/advance`),
      expect: async (p) => {
        const link = p.locator('main .error-summary a[href="#advance-problem"]');
        assert.equal((await link.innerText()).trim(), T('error.decide.too_few_projects'));
        await p.locator('#advance-problem').waitFor();
      },
    },
    {
      name: 'in review, as a resident', as: 'core', heading: title(() => made.review), open: (p) => p.goto(made.review.path),
      expect: async (p) => assert.equal(await p.locator('main form[action$="/review"]').count(), 0, 'a resident reviews nothing'),
    },
    {
      name: 'in voting, the basket ballot', as: 'core', heading: title(() => made.voting), open: (p) => p.goto(made.voting.path),
      expect: async (p) => {
        await mainForm(p, `${made.voting.path}/vote`).locator('#lives_there').waitFor();
        await p.locator('#basket-total').waitFor();
      },
    },
    {
      name: 'in voting, a basket over budget', as: 'core', heading: title(() => made.voting),
      open: sent(() => made.voting.path, () => `${made.voting.path}/vote`, async (f) => {
        for (const box of await f.locator('input[name=project]').all()) await box.check();
        await f.locator('#lives_there').check();
      }),
      expect: async (p) => {
        await formErrors(lang, ['projects'])(p);
        assert.equal((await p.locator('#projects-error').innerText()).trim(), T('field.tally.ballot.over_budget'));
      },
    },
    {
      name: 'in voting, sent without living there', as: 'core', heading: title(() => made.voting),
      open: sent(() => made.voting.path, () => `${made.voting.path}/vote`, async (f) => f.locator('input[name=project]').first().check()),
      expect: formErrors(lang, ['lives_there']),
    },
    { name: 'in voting, as the steward', as: 'steward', heading: title(() => made.voting), open: (p) => p.goto(made.voting.path) },
    {
      name: 'in voting, the paper ballots (the form, a sheet waiting)', as: 'steward', heading: 'budget.paper.title', open: (p) => p.goto(`${made.voting.path}/paper`),
      expect: async (p) => {
        await mainForm(p, `${made.voting.path}/paper`).waitFor();
        await p.locator('main table.sheets tbody th', { hasText: 'N-001' }).waitFor();
      },
    },
    {
      name: 'in voting, the paper ballots with errors (sent empty)', as: 'steward', heading: 'budget.paper.title',
      open: sent(() => `${made.voting.path}/paper`, () => `${made.voting.path}/paper`), expect: formErrors(lang, ['sheet']),
    },
  ];
}

axePages('axe-core on the budget pages', pagesFor);
