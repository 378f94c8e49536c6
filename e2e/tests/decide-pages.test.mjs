// axe-core on the pages of the decisions in Dutch and in English: the
// lists (the city's, a workspace's), the form that proposes a decision and
// the one that changes it (each also with its errors), a draft, and a
// proposal under discussion (comments, replies, amendments; an empty
// comment and reply). Each page as who sees something else on it: a
// visitor, a steward, the demo member (core team: manages and votes) and
// the demo moderator (members circle: votes). The demo's decisions, the
// ballots of every method and the final results are in
// decide-ballot-pages.test.mjs, the budgets' pages in
// decide-budget-pages.test.mjs, the journeys in decide-journeys.test.mjs
// and decide-voting.test.mjs.

import assert from 'node:assert/strict';
import { formErrors, mainForm, notice, submit, t } from '../lib/samen.mjs';
import { axePages, createDecision, demo, localIn, memberPage, moderatorPage, ws } from '../lib/decide.mjs';

// ---------------------------------------------------------------------------
// Made once for both languages: a draft, and a proposal under discussion
// with the moderator's comment and amendment.

const made = {};

await (async () => {
  const m = memberPage;
  made.draft = await createDecision(m, { method: 'approval', title: 'Nog een concept', state: 'draft', params: { max_choices: 0 } });
  made.discussion = await createDecision(m, { method: 'schulze', title: 'In bespreking', state: 'discussion' });
  // The moderator comments and proposes an amendment, through the page.
  const mod = moderatorPage;
  await mod.goto(made.discussion.path);
  const comment = mainForm(mod, `${made.discussion.path}/comment`).filter({ has: mod.locator('#comment') });
  await comment.locator('#comment').fill('Kunnen we ook een vijfde optie toevoegen?');
  await submit(mod, comment);
  assert.equal(await notice(mod), t('nl', 'notice.decide_commented'));
  const amend = mainForm(mod, `${made.discussion.path}/amend`);
  await amend.locator('#amendment').fill('Een voorstel dat de tests doen, met een betere tekst.');
  await amend.locator('#amendment_note').fill('Duidelijker geschreven.');
  await submit(mod, amend);
  assert.equal(await notice(mod), t('nl', 'notice.decide_amended'));
})();

/** send clicks the first submit button inside `within` (a form or a part of it) and waits for the answer. */
const send = submit;

function pagesFor(lang) {
  const b = () => ws.base;
  const title = (d) => () => d().title;
  return [
    {
      name: '/decisions, as a visitor', as: 'visitor', heading: 'decide.index.title', open: (p) => p.goto('/decisions'),
      expect: async (p) => {
        await p.locator(`main a[href="${demo.budget.path}"]`).waitFor();
        assert.equal(await p.locator('main a.button').count(), 0, 'a visitor starts nothing');
      },
    },
    {
      name: '/decisions, as a steward', as: 'steward', heading: 'decide.index.title', open: (p) => p.goto('/decisions'),
      expect: async (p) => {
        await p.locator('main a.button[href="/decisions/new"]').waitFor();
        await p.locator('main a.button[href="/budgets/new"]').waitFor();
      },
    },
    {
      name: 'a workspace’s decisions, as core', as: 'core', heading: 'decide.workspace.title', open: (p) => p.goto(`${b()}/decisions`),
      expect: async (p) => {
        for (const d of [demo.consent, demo.schulze, demo.poll, made.draft]) await p.locator(`main a[href="${d.path}"]`).waitFor();
        await p.locator(`main a.button[href="${b()}/decisions/new"]`).waitFor();
      },
    },
    {
      name: 'a workspace’s decisions, as a member', as: 'member', heading: 'decide.workspace.title', open: (p) => p.goto(`${b()}/decisions`),
      expect: async (p) => {
        await p.locator(`main a[href="${demo.schulze.path}"]`).waitFor();
        assert.equal(await p.locator(`main a[href="${made.draft.path}"]`).count(), 0, 'a member does not see a draft');
      },
    },
    { name: 'a workspace’s decisions, as a visitor', as: 'visitor', heading: 'decide.workspace.title', open: (p) => p.goto(`${b()}/decisions`) },
    { name: 'new proposal in a workspace', as: 'core', heading: 'decide.new.title', open: (p) => p.goto(`${b()}/decisions/new`) },
    {
      name: 'new proposal in a workspace, with errors (sent empty)', as: 'core', heading: 'decide.new.title',
      open: async (p) => {
        await p.goto(`${b()}/decisions/new`);
        await send(p, mainForm(p, `${b()}/decisions/new`).locator('.button-row'));
      },
      expect: formErrors(lang, ['title', 'closes_at']),
    },
    {
      name: 'new proposal in a workspace, a ranked vote without options', as: 'core', heading: 'decide.new.title',
      open: async (p) => {
        await p.goto(`${b()}/decisions/new`);
        const form = mainForm(p, `${b()}/decisions/new`);
        await form.locator('#title').fill('Zonder opties');
        await form.locator('#method-stv').check();
        await form.locator('#closes_at').fill(localIn(7));
        await send(p, form.locator('.button-row'));
      },
      expect: formErrors(lang, ['seats', 'options']),
    },
    {
      name: 'new proposal in a workspace, with more rows', as: 'core', heading: 'decide.new.title',
      open: async (p) => {
        await p.goto(`${b()}/decisions/new`);
        const form = mainForm(p, `${b()}/decisions/new`);
        await form.locator('#method-schulze').check();
        await send(p, form.locator('#options'));
      },
      expect: async (p) => p.locator('[id="options.9.label"]').waitFor(),
    },
    { name: 'new city-wide decision', as: 'steward', heading: 'decide.new.title', open: (p) => p.goto('/decisions/new') },
    {
      name: 'new city-wide decision, with errors (sent empty)', as: 'steward', heading: 'decide.new.title',
      open: async (p) => {
        await p.goto('/decisions/new');
        await send(p, mainForm(p, '/decisions/new').locator('.button-row'));
      },
      expect: formErrors(lang, ['title', 'closes_at']),
    },
    { name: 'change a draft', as: 'core', heading: 'decide.edit.title', open: (p) => p.goto(`${made.draft.path}/edit`) },
    {
      name: 'change a draft, with errors (title emptied)', as: 'core', heading: 'decide.edit.title',
      open: async (p) => {
        await p.goto(`${made.draft.path}/edit`);
        const form = mainForm(p, `${made.draft.path}/edit`);
        await form.locator('#title').fill('');
        await send(p, form.locator('.button-row'));
      },
      expect: formErrors(lang, ['title']),
    },
    {
      name: 'a draft, as core (publish, open voting)', as: 'core', heading: title(() => made.draft), open: (p) => p.goto(made.draft.path),
      expect: async (p) => {
        await mainForm(p, `${made.draft.path}/publish`).waitFor();
        await mainForm(p, `${made.draft.path}/open`).waitFor();
      },
    },
    {
      name: 'under discussion, as core (an amendment to take over)', as: 'core', heading: title(() => made.discussion), open: (p) => p.goto(made.discussion.path),
      expect: async (p) => p.locator(`main form[action="${made.discussion.path}/amendment"] button[value=accept]`).waitFor(),
    },
    {
      name: 'under discussion, as a member (comment, reply, amend)', as: 'member', heading: title(() => made.discussion), open: (p) => p.goto(made.discussion.path),
      expect: async (p) => {
        await mainForm(p, `${made.discussion.path}/amend`).waitFor();
        await p.locator('main details.reply-form summary').first().waitFor();
      },
    },
    {
      name: 'under discussion, an empty comment', as: 'member', heading: title(() => made.discussion),
      open: async (p) => {
        await p.goto(made.discussion.path);
        await send(p, mainForm(p, `${made.discussion.path}/comment`).filter({ has: p.locator('#comment') }));
      },
      expect: formErrors(lang, ['comment']),
    },
    {
      name: 'under discussion, an empty reply', as: 'member', heading: title(() => made.discussion),
      open: async (p) => {
        await p.goto(made.discussion.path);
        const reply = p.locator('main details.reply-form').first();
        await reply.locator('summary').click();
        await send(p, reply.locator('form'));
      },
      expect: async (p) => {
        const field = await p.locator('main details.reply-form[open] textarea').getAttribute('id');
        await formErrors(lang, [field])(p);
      },
    },
  ];
}

axePages('axe-core on the decision pages', pagesFor);
