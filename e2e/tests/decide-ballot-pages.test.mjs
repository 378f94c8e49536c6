// axe-core on a decision's page while voting runs and once closed, in
// Dutch and in English. The demo's decisions: the closed consent decision
// with its results and outcome (and the outcome form with an error), the
// open Schulze vote as the member who has not voted (the ranking, also sent
// unranked) and as the moderator who has, the meeting poll before and after
// voting. Every method: the ballot as the demo member who has not voted
// (consent, majority with a quorum and a threshold, score with its results
// hidden until closing, dot voting, approval, instant-runoff, STV), the
// ballots sent with a problem (a block without a reason, no answer, too many
// dots, too many ticked), the page after voting as the moderator (an open
// ballot to change, a secret one final); and the final results of a
// Schulze vote (the head-to-head tables, the downloads, the outcome form)
// and of STV (the stages), which close a minute and a half after they are
// made (the last pages: they wait for it if they come sooner). The other
// decision pages are in decide-pages.test.mjs.

import assert from 'node:assert/strict';
import { formErrors, mainForm, submit, t } from '../lib/samen.mjs';
import { axePages, castBallot, closed, createDecision, demo, inDays, memberPage, moderatorPage, summaryLeadsTo } from '../lib/decide.mjs';

// ---------------------------------------------------------------------------
// Made once for both languages: a decision of every method in voting with
// the moderator's ballot cast (the member has not voted), and two that
// close soon with both ballots in.

const made = {};
const SOON = inDays(90 / 86400); // a minute and a half from now

await (async () => {
  const m = memberPage;
  const methods = {
    consent: { secrecy: 'open' },
    majority: { secrecy: 'anonymous', params: { quorum: 50, threshold: 'two_thirds' } },
    score: { secrecy: 'hidden' },
    dot: { params: { dots: 5 } },
    approval: { params: { max_choices: 2 } },
    irv: { secrecy: 'anonymous' },
    stv: { params: { seats: 2 } },
  };
  for (const [method, extra] of Object.entries(methods)) {
    made[method] = await createDecision(m, { method, title: `Stemming: ${method}`, ...extra });
  }
  // The moderator votes on each.
  const o = (d, i) => d.option[Object.keys(d.option)[i]];
  await castBallot(moderatorPage, made.consent.id, { position: 'object', reason: 'Eerst een proef van een maand.' });
  await castBallot(moderatorPage, made.majority.id, { position: 'yes' });
  await castBallot(moderatorPage, made.score.id, { values: { [o(made.score, 0)]: 5, [o(made.score, 1)]: 2 } });
  await castBallot(moderatorPage, made.dot.id, { values: { [o(made.dot, 0)]: 3, [o(made.dot, 2)]: 2 } });
  await castBallot(moderatorPage, made.approval.id, { values: { [o(made.approval, 1)]: 1, [o(made.approval, 3)]: 1 } });
  await castBallot(moderatorPage, made.irv.id, { values: { [o(made.irv, 0)]: 1, [o(made.irv, 1)]: 2, [o(made.irv, 2)]: 2 } });
  await castBallot(moderatorPage, made.stv.id, { values: { [o(made.stv, 3)]: 1, [o(made.stv, 2)]: 2, [o(made.stv, 1)]: 3 } });

  // Closing soon, both ballots in: the final results of a ranked vote
  // (Schulze: the head-to-head tables) and of STV (the stages).
  for (const method of ['schulze', 'stv']) {
    const d = await createDecision(m, { method, title: `Bijna dicht: ${method}`, closesAt: SOON, params: method === 'stv' ? { seats: 2 } : {} });
    await castBallot(m, d.id, { values: { [o(d, 0)]: 1, [o(d, 1)]: 2, [o(d, 2)]: 2, [o(d, 3)]: 3 } });
    await castBallot(moderatorPage, d.id, { values: { [o(d, 1)]: 1, [o(d, 0)]: 2, [o(d, 3)]: 3 } });
    made[`closing_${method}`] = d;
  }
})();

/** send clicks the first submit button inside `within` (a form or a part of it) and waits for the answer. */
const send = submit;

function pagesFor(lang) {
  const T = (key, vars) => t(lang, key, vars);
  const title = (d) => () => d().title;
  const ballot = (p, d) => mainForm(p, `${d.path}/vote`);
  return [
    {
      name: 'the demo’s closed consent decision, as core (results, outcome, its form)', as: 'core', heading: title(() => demo.consent), open: (p) => p.goto(demo.consent.path),
      expect: async (p) => {
        await p.locator('main #results table').waitFor();
        await mainForm(p, `${demo.consent.path}/outcome`).waitFor({ state: 'attached' });
      },
    },
    {
      name: 'the demo’s closed consent decision, as a member', as: 'member', heading: title(() => demo.consent), open: (p) => p.goto(demo.consent.path),
      expect: async (p) => p.locator('main #outcome-section').waitFor(),
    },
    {
      name: 'the demo’s closed consent decision, the outcome with an error (emptied)', as: 'core', heading: title(() => demo.consent),
      open: async (p) => {
        await p.goto(demo.consent.path);
        await p.locator('main details.outcome-form summary').click();
        const form = mainForm(p, `${demo.consent.path}/outcome`);
        await form.locator('#outcome').fill('');
        await send(p, form);
      },
      expect: formErrors(lang, ['outcome']),
    },
    {
      name: 'the demo’s Schulze vote, as a member who has not voted (the ranking)', as: 'core', heading: title(() => demo.schulze), open: (p) => p.goto(demo.schulze.path),
      expect: async (p) => assert.equal(await ballot(p, demo.schulze).locator('select').count(), 4),
    },
    {
      name: 'the demo’s Schulze vote, sent unranked', as: 'core', heading: title(() => demo.schulze),
      open: async (p) => {
        await p.goto(demo.schulze.path);
        await send(p, ballot(p, demo.schulze));
      },
      expect: summaryLeadsTo(lang, 'ballot', 'field.decide.ballot_empty'),
    },
    {
      name: 'the demo’s Schulze vote, after voting', as: 'member', heading: title(() => demo.schulze), open: (p) => p.goto(demo.schulze.path),
      expect: async (p) => p.locator('main #vote .voted', { hasText: T('decide.ballot.final') }).waitFor(),
    },
    {
      name: 'the demo’s meeting poll, as a member who has not voted', as: 'core', heading: title(() => demo.poll), open: (p) => p.goto(demo.poll.path),
      expect: async (p) => assert.equal(await ballot(p, demo.poll).locator('fieldset.poll-slot').count(), 3),
    },
    {
      name: 'the demo’s meeting poll, after voting (the ballot to change)', as: 'member', heading: title(() => demo.poll), open: (p) => p.goto(demo.poll.path),
      expect: async (p) => p.locator('main #vote .voted').waitFor(),
    },
    {
      name: 'consent, the ballot', as: 'core', heading: title(() => made.consent), open: (p) => p.goto(made.consent.path),
      expect: async (p) => ballot(p, made.consent).locator('#position-block').waitFor(),
    },
    {
      name: 'consent, a block without a reason', as: 'core', heading: title(() => made.consent),
      open: async (p) => {
        await p.goto(made.consent.path);
        await ballot(p, made.consent).locator('#position-block').check();
        await send(p, ballot(p, made.consent));
      },
      expect: formErrors(lang, ['reason']),
    },
    {
      name: 'consent, sent without an answer', as: 'core', heading: title(() => made.consent),
      open: async (p) => {
        await p.goto(made.consent.path);
        await send(p, ballot(p, made.consent));
      },
      expect: formErrors(lang, ['position']),
    },
    {
      name: 'consent, after an open vote (your ballot, to change)', as: 'member', heading: title(() => made.consent), open: (p) => p.goto(made.consent.path),
      expect: async (p) => p.locator('main #vote .voted').waitFor(),
    },
    { name: 'majority, the ballot (quorum, threshold)', as: 'core', heading: title(() => made.majority), open: (p) => p.goto(made.majority.path) },
    {
      name: 'score, the ballot (results hidden until closing)', as: 'core', heading: title(() => made.score), open: (p) => p.goto(made.score.path),
      expect: async (p) => p.locator('main #results', { hasText: T('decide.result.hidden') }).waitFor(),
    },
    {
      name: 'score, after a secret vote', as: 'member', heading: title(() => made.score), open: (p) => p.goto(made.score.path),
      expect: async (p) => p.locator('main #vote .voted', { hasText: T('decide.ballot.final') }).waitFor(),
    },
    { name: 'dot voting, the ballot', as: 'core', heading: title(() => made.dot), open: (p) => p.goto(made.dot.path) },
    {
      name: 'dot voting, too many dots', as: 'core', heading: title(() => made.dot),
      open: async (p) => {
        await p.goto(made.dot.path);
        const inputs = ballot(p, made.dot).locator('input[type=number]');
        await inputs.nth(0).fill('3');
        await inputs.nth(1).fill('3');
        await send(p, ballot(p, made.dot));
      },
      expect: summaryLeadsTo(lang, 'ballot', 'field.decide.too_many_dots'),
    },
    { name: 'approval, the ballot', as: 'core', heading: title(() => made.approval), open: (p) => p.goto(made.approval.path) },
    {
      name: 'approval, too many ticked', as: 'core', heading: title(() => made.approval),
      open: async (p) => {
        await p.goto(made.approval.path);
        const boxes = ballot(p, made.approval).locator('input[type=checkbox]');
        for (let i = 0; i < 3; i++) await boxes.nth(i).check();
        await send(p, ballot(p, made.approval));
      },
      expect: summaryLeadsTo(lang, 'ballot', 'field.decide.too_many_choices'),
    },
    { name: 'instant-runoff, the ballot', as: 'core', heading: title(() => made.irv), open: (p) => p.goto(made.irv.path) },
    { name: 'STV, the ballot', as: 'core', heading: title(() => made.stv), open: (p) => p.goto(made.stv.path) },
    {
      name: 'Schulze, closed (the head-to-head tables, downloads, outcome form)', as: 'core', heading: title(() => made.closing_schulze),
      open: async (p) => {
        await closed(p, made.closing_schulze.id, SOON);
        await p.goto(made.closing_schulze.path);
      },
      expect: async (p) => {
        assert.equal(await p.locator('main table.matrix').count(), 2);
        await p.locator(`main a[href="${made.closing_schulze.path}/ballots.blt"]`).waitFor();
      },
    },
    {
      name: 'STV, closed (the stages of the count)', as: 'member', heading: title(() => made.closing_stv),
      open: async (p) => {
        await closed(p, made.closing_stv.id, SOON);
        await p.goto(made.closing_stv.path);
      },
      expect: async (p) => p.locator('main table.rounds').waitFor(),
    },
  ];
}

axePages('axe-core on the ballot pages', pagesFor);
