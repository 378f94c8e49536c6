// Three journeys through deciding together, each once by keyboard only and
// once without JavaScript: proposing (the demo member, core team of the
// demo workspace, writes a proposal through the form, publishes it and
// opens voting); reading results (the demo's closed consent decision: its
// outcome, the count and the reasons; the demo's participatory budget: the
// winners and the table of greedy against Equal Shares); and a
// participatory budget from start to ballot (a steward starts a city
// budget through the form, residents propose, the steward reviews and
// opens voting, a resident votes: a basket over budget is refused with its
// message first). Voting with every method is in decide-voting.test.mjs;
// axe-core on the pages in decide-pages.test.mjs and
// decide-budget-pages.test.mjs.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertFocusVisible, autofocused, formErrors, h1, mainForm, nameOf, notice, press, pressEnterToSubmit, submit, t, tabTo, typeInto, uniqueWord,
} from '../lib/samen.mjs';
import { apiGet, budgetIdFrom, demo, localIn, signedIn, ws } from '../lib/decide.mjs';

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** fresh loads path and goes past the skip link into <main>, as a keyboard user would. */
async function fresh(page, path) {
  await page.goto(path);
  const f = await press(page, 'Tab');
  assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
  assert.equal((await press(page, 'Enter')).tag, 'main');
}

/** follow presses Enter on the focused link or button (or in a field) and waits for the page it leads to. */
const follow = pressEnterToSubmit;

/** tabNext presses Tab once and checks that focus lands on selector. */
async function tabNext(page, selector) {
  const f = await press(page, 'Tab');
  assertFocusVisible(f);
  assert.ok(await page.evaluate((s) => document.activeElement.matches(s), selector), `one Tab on, focus is on ${nameOf(f)}, not ${selector}`);
  return f;
}

/**
 * typeDateTime types a local date and time in the afternoon or evening
 * ("2026-12-18T19:30") into the focused datetime-local field, segment by
 * segment, and checks it took. Chromium lays its date fields out in its
 * own language (American English here, whatever the page's): month, day,
 * year; the right arrow to the time; hours (13 to 19 choose PM), minutes.
 */
async function typeDateTime(page, local) {
  const [, y, mo, d, hh, mm] = local.match(/^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/);
  assert.ok(Number(hh) >= 13 && Number(hh) <= 19, 'an hour from 13 to 19: typing it sets PM (a 2 is taken as 2 o’clock)');
  await typeInto(page, `${mo}${d}${y}`);
  await page.keyboard.press('ArrowRight');
  await typeInto(page, `${hh}${mm}`);
  assert.equal(await page.evaluate(() => document.activeElement.value), local, 'the date and time typed by keyboard');
}

// ---------------------------------------------------------------------------
// Proposing.

describe('deciding together', { concurrency: 2 }, () => {
describe('by keyboard only', { concurrency: 1 }, () => {
  const lang = 'nl';
  const T = (k, v) => t(lang, k, v);

  it('proposing: core writes a majority vote, saves it with Enter, publishes it and opens voting', { timeout: 180_000 }, async () => {
    const page = await signedIn('member', lang);
    const title = `Nieuwe koelcel ${uniqueWord()}`;
    await fresh(page, `${ws.base}/decisions`);
    await tabTo(page, `main a[href="${ws.base}/decisions/new"]`);
    await follow(page);
    assert.equal(await h1(page), T('decide.new.title'));

    await tabTo(page, '#title');
    await typeInto(page, title);
    await tabNext(page, '#body');
    await typeInto(page, 'We kopen een tweede koelcel voor de zaterdagmarkt.');
    // The methods are a radio group with consent chosen: the arrows choose another.
    await tabTo(page, '#method-consent');
    let f = await press(page, 'ArrowDown');
    assertFocusVisible(f);
    assert.equal(f.id, 'method-majority');
    assert.equal(await page.locator('#method-majority').isChecked(), true);
    // The threshold's select, by the arrows: two thirds.
    await tabTo(page, '#threshold');
    await page.keyboard.press('ArrowDown');
    assert.equal(await page.locator('#threshold').inputValue(), 'two_thirds');
    await tabTo(page, '#closes_at');
    await typeDateTime(page, localIn(10, '19:30'));
    // Enter in the last field saves the draft.
    await follow(page);
    assert.equal(await notice(page), T('notice.decide_created'), `Enter in the closing time saved the draft (on ${page.url()})`);
    assert.equal(await h1(page), title);
    assert.match(await page.locator('main .decision-state').innerText(), new RegExp(escape(T('decide.state.draft'))));
    const path = new URL(page.url()).pathname;

    // Publish, then open voting: buttons reached by Tab.
    await tabTo(page, `main form[action="${path}/publish"] button`);
    await follow(page);
    assert.equal(await notice(page), T('notice.decide_published'));
    await tabTo(page, `main form[action="${path}/open"] button`);
    await follow(page);
    assert.equal(await notice(page), T('notice.decide_opened'));
    assert.match(await page.locator('main .decision-state').innerText(), new RegExp(escape(T('decide.state.voting'))));
    assert.ok((await page.locator('main .decision-rules').first().innerText()).includes(T('decide.threshold_rule.two_thirds')), 'the rules name the threshold chosen');
    // The ballot is there, for the proposer too.
    await tabTo(page, '#position-yes');
    await page.context().close();
  });

  it('reading results: the closed consent decision and the budget’s result', { timeout: 180_000 }, async () => {
    const page = await signedIn('moderator', lang);
    const api = await apiGet(page, `/api/v1/decisions/${demo.consent.id}`);
    await fresh(page, `${ws.base}/decisions`);
    await tabTo(page, `main a[href="${demo.consent.path}"]`);
    await follow(page);
    assert.equal(await h1(page), demo.consent.title);
    await readConsent(page, lang, api);
    // The downloads that check the count are reached by Tab.
    await tabTo(page, `main a[href="${demo.consent.path}/results.csv"]`);

    await fresh(page, '/decisions');
    await tabTo(page, `main a[href="${demo.budget.path}"]`);
    await follow(page);
    assert.equal(await h1(page), demo.budget.title);
    const winners = await readBudget(page, lang);
    // A winner's link leads to its project further down.
    await tabTo(page, 'main #result .funded-list a');
    const href = await page.evaluate(() => document.activeElement.getAttribute('href'));
    assert.equal(href.replace('#p', ''), String(winners[0]));
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.hash === href);
    await page.context().close();
  });

  it('a participatory budget: started, proposed to, reviewed, opened; a basket over budget refused, then cast', { timeout: 300_000 }, async () => {
    const steward = await signedIn('steward', lang);
    const title = `Buurtbudget ${uniqueWord()}`;
    await fresh(steward, '/decisions');
    await tabTo(steward, 'main a[href="/budgets/new"]');
    await follow(steward);
    assert.equal(await h1(steward), T('budget.new.title'));
    await tabTo(steward, '#title');
    await typeInto(steward, title);
    await tabNext(steward, '#description');
    await typeInto(steward, 'Negenduizend euro voor plannen uit de buurt.');
    await tabTo(steward, '#total');
    await typeInto(steward, '9000');
    // A basket within the budget is chosen already; Equal Shares decides.
    assert.equal(await steward.locator('#ballot_kind-knapsack').isChecked(), true);
    await tabTo(steward, 'input[name=rule]:checked');
    for (let i = 0; i < 3 && !(await steward.locator('[id="rule-equal-shares"]').isChecked()); i++) assertFocusVisible(await press(steward, 'ArrowUp'));
    assert.equal(await steward.locator('[id="rule-equal-shares"]').isChecked(), true);
    await tabTo(steward, '#closes_at');
    await typeDateTime(steward, localIn(14, '18:30'));
    await follow(steward);
    assert.equal(await notice(steward), T('notice.budget_created'));
    const path = `/budgets/${budgetIdFrom(steward)}`;

    // Residents propose, each by keyboard.
    const member = await signedIn('member', lang);
    const moderator = await signedIn('moderator', lang);
    const projects = [[member, 'Geveltuinen in de Dapperstraat', '3000'], [moderator, 'Een buurtbibliotheek', '5000'], [member, 'Schaakbord in het park', '4000']];
    for (const [page, name, cost] of projects) {
      await fresh(page, path);
      await tabTo(page, `main form[action="${path}/propose"] #title`);
      await typeInto(page, name);
      await tabNext(page, '#description');
      await typeInto(page, `${name}: een plan van bewoners.`);
      await tabTo(page, '#cost');
      await typeInto(page, cost);
      await follow(page);
      assert.equal(await notice(page), T('notice.budget_proposed'));
    }

    // The steward closes the proposals, accepts each project and opens voting.
    await fresh(steward, path);
    await tabTo(steward, `main form[action="${path}/advance"] button`);
    await follow(steward);
    assert.equal(await notice(steward), T('notice.budget_phase_review'));
    const ids = await steward.locator('main article.project').evaluateAll((as) => as.map((a) => a.id.slice(1)));
    assert.equal(ids.length, 3);
    for (const id of ids) {
      await fresh(steward, path);
      // No decision yet: Tab lands on "accept", Space chooses it.
      await tabTo(steward, `[id="decision-${id}-accept"]`);
      await steward.keyboard.press('Space');
      assert.equal(await steward.locator(`[id="decision-${id}-accept"]`).isChecked(), true);
      await tabTo(steward, `main form:has(input[name=project][value="${id}"]) button[type=submit]`);
      await follow(steward);
      assert.equal(await notice(steward), T('notice.budget_reviewed'));
    }
    await fresh(steward, path);
    await tabTo(steward, `main form[action="${path}/advance"] button`);
    await follow(steward);
    assert.equal(await notice(steward), T('notice.budget_phase_voting'));

    // The member ticks all three (12,000 of 9,000): the running total says so.
    await fresh(member, path);
    const boxes = await member.locator('main form[data-basket] input[name=project]').evaluateAll((els) => els.map((e) => e.id));
    for (const id of boxes) {
      await tabTo(member, `[id="${id}"]`);
      await member.keyboard.press('Space');
    }
    const total = member.locator('#basket-total');
    assert.equal(await total.evaluate((el) => el.classList.contains('over')), true, 'the running total says the basket is over budget');
    assert.match(await total.innerText(), new RegExp(escape(T('budget.vote.running_over').split('{total}')[0])));
    await tabTo(member, `main form[action="${path}/vote"] button[type=submit]`);
    await follow(member);
    let f = await autofocused(member);
    assert.ok(f.cls.includes('error-summary'), `after the refusal focus is on ${nameOf(f)}, not the error summary`);
    assert.equal((await member.locator('#projects-error').innerText()).trim(), T('field.tally.ballot.over_budget'));
    // The summary's link leads to the projects; the next Tab to the first of them.
    await tabTo(member, 'main .error-summary a[href="#projects"]');
    await member.keyboard.press('Enter');
    f = await press(member, 'Tab');
    assertFocusVisible(f);
    assert.ok(boxes.includes(f.id), `after the summary's link, Tab reached ${nameOf(f)}, not a project`);
    // The ticks are kept; Space takes the library (5,000) out.
    const library = await member.locator('main form[data-basket] label', { hasText: 'Een buurtbibliotheek' }).getAttribute('for');
    assert.equal(await member.locator(`[id="${library}"]`).isChecked(), true);
    // The projects stand in the order drawn by lot: the library may be the
    // first, where focus already is.
    if (!(await member.evaluate((id) => document.activeElement?.id === id, library))) await tabTo(member, `[id="${library}"]`);
    await member.keyboard.press('Space');
    assert.equal(await total.evaluate((el) => el.classList.contains('over')), false);
    await tabTo(member, `main form[action="${path}/vote"] button[type=submit]`);
    await follow(member);
    assert.equal(await notice(member), T('notice.budget_voted'));
    assert.equal((await member.locator('main #ballot .voted').innerText()).trim(), T('budget.vote.voted'));
    for (const p of [steward, member, moderator]) await p.context().close();
  });
});

// ---------------------------------------------------------------------------
// Without JavaScript.

describe('without JavaScript', { concurrency: 1 }, () => {
  const lang = 'en';
  const T = (k, v) => t(lang, k, v);
  const noJS = { javaScriptEnabled: false };

  it('proposing: core writes a ranked vote, forgets the closing time, saves, publishes, opens voting', { timeout: 180_000 }, async () => {
    const page = await signedIn('member', lang, noJS);
    const title = `Which caterer ${uniqueWord()}?`;
    await page.goto(`${ws.base}/decisions`);
    await page.locator('main').getByRole('link', { name: T('decide.workspace.new') }).click();
    await page.waitForURL(`**${ws.base}/decisions/new`);
    let form = mainForm(page, `${ws.base}/decisions/new`);
    await form.getByLabel(T('decide.form.title')).fill(title);
    await form.getByRole('radio', { name: T('decide.method.schulze'), exact: true }).check();
    const labels = ['De Groene Keuken', 'Soep & Zo', 'Bakkerij Noord'];
    for (const [i, label] of labels.entries()) await form.locator(`[id="options.${i}.label"]`).fill(label);
    // Without a closing time the form comes back with what was typed.
    await submit(page, form.locator('.button-row'));
    await formErrors(lang, ['closes_at'])(page);
    form = mainForm(page, `${ws.base}/decisions/new`);
    assert.equal(await form.locator('[id="options.2.label"]').inputValue(), labels[2]);
    await form.getByLabel(T('decide.form.closes_at')).fill(localIn(10));
    await submit(page, form.locator('.button-row'));
    assert.equal(await notice(page), T('notice.decide_created'));
    assert.equal(await h1(page), title);
    assert.deepEqual((await page.locator('main .option-list strong').allInnerTexts()).map((s) => s.trim()).sort(), [...labels].sort());
    const path = new URL(page.url()).pathname;
    await submit(page, mainForm(page, `${path}/publish`));
    assert.equal(await notice(page), T('notice.decide_published'));
    await submit(page, mainForm(page, `${path}/open`));
    assert.equal(await notice(page), T('notice.decide_opened'));
    assert.equal(await mainForm(page, `${path}/vote`).locator('select').count(), 3, 'the ballot: a numbered select per option');
    await page.context().close();
  });

  it('reading results: the closed consent decision and the budget’s result', { timeout: 180_000 }, async () => {
    const page = await signedIn('member', lang, noJS);
    const api = await apiGet(page, `/api/v1/decisions/${demo.consent.id}`);
    await page.goto(`${ws.base}/decisions`);
    await page.locator('main').getByRole('link', { name: demo.consent.title }).click();
    await page.waitForURL(`**${demo.consent.path}`);
    await readConsent(page, lang, api);
    await page.goto('/decisions');
    await page.locator('main').getByRole('link', { name: demo.budget.title }).click();
    await page.waitForURL(`**${demo.budget.path}`);
    await readBudget(page, lang);
    await page.context().close();
  });

  it('a participatory budget: a rejection needs a note; a basket over budget refused, then cast', { timeout: 300_000 }, async () => {
    const steward = await signedIn('steward', lang, noJS);
    const title = `Neighbourhood budget ${uniqueWord()}`;
    await steward.goto('/decisions');
    await steward.locator('main').getByRole('link', { name: T('decide.list.new_budget') }).click();
    await steward.waitForURL('**/budgets/new');
    const form = mainForm(steward, '/budgets/new');
    await form.getByLabel(T('budget.form.title')).fill(title);
    await form.locator('#total').fill('9000');
    await form.locator('#district').selectOption('oost');
    await form.locator('#closes_at').fill(localIn(14));
    await submit(steward, form);
    assert.equal(await notice(steward), T('notice.budget_created'));
    const path = `/budgets/${budgetIdFrom(steward)}`;

    const member = await signedIn('member', lang, noJS);
    const moderator = await signedIn('moderator', lang, noJS);
    const projects = [[member, 'Drinking fountain', '3000'], [moderator, 'Street library', '5000'], [member, 'Chess tables', '4000'], [moderator, 'A car park', '9000']];
    for (const [page, name, cost] of projects) {
      await page.goto(path);
      const propose = mainForm(page, `${path}/propose`);
      await propose.locator('#title').fill(name);
      await propose.locator('#description').fill(`${name}, proposed by a resident.`);
      await propose.locator('#cost').fill(cost);
      await submit(page, propose);
      assert.equal(await notice(page), T('notice.budget_proposed'));
    }

    await steward.goto(path);
    await submit(steward, mainForm(steward, `${path}/advance`));
    assert.equal(await notice(steward), T('notice.budget_phase_review'));
    const reviewOf = (name) => steward.locator(`main article.project:has(h3:text-is("${name}")) form[action="${path}/review"]`);
    // A rejection without a note is refused at the note.
    await reviewOf('A car park').getByRole('radio', { name: T('budget.review.reject') }).check();
    await submit(steward, reviewOf('A car park'));
    const note = await steward.locator('main textarea[aria-invalid=true]').getAttribute('id');
    await formErrors(lang, [note])(steward);
    await reviewOf('A car park').locator('textarea[name=note]').fill('The whole budget for one project, and not what the district asked for.');
    await submit(steward, reviewOf('A car park'));
    assert.equal(await notice(steward), T('notice.budget_reviewed'));
    for (const name of ['Drinking fountain', 'Street library', 'Chess tables']) {
      await reviewOf(name).getByRole('radio', { name: T('budget.review.accept') }).check();
      await submit(steward, reviewOf(name));
      assert.equal(await notice(steward), T('notice.budget_reviewed'));
    }
    await submit(steward, mainForm(steward, `${path}/advance`));
    assert.equal(await notice(steward), T('notice.budget_phase_voting'));

    // The moderator, a resident of Oost, ticks all three: over budget.
    await moderator.goto(path);
    let ballot = mainForm(moderator, `${path}/vote`);
    assert.equal(await ballot.locator('input[name=project]').count(), 3, 'the rejected project is not on the ballot');
    assert.equal(await moderator.locator('#basket-total').isVisible(), false, 'without JavaScript there is no running total');
    for (const box of await ballot.locator('input[name=project]').all()) await box.check();
    await ballot.getByLabel(T('budget.vote.lives_there', { district: T('atlas.district.oost') })).check();
    await submit(moderator, ballot);
    await formErrors(lang, ['projects'])(moderator);
    assert.equal((await moderator.locator('#projects-error').innerText()).trim(), T('field.tally.ballot.over_budget'));
    ballot = mainForm(moderator, `${path}/vote`);
    await ballot.getByLabel('Street library').uncheck();
    await submit(moderator, ballot);
    assert.equal(await notice(moderator), T('notice.budget_voted'));
    assert.equal((await moderator.locator('main #ballot .voted').innerText()).trim(), T('budget.vote.voted'));
    assert.match(await moderator.locator('main #rejected').innerText(), /A car park/);
    for (const p of [steward, member, moderator]) await p.context().close();
  });
});
});

// ---------------------------------------------------------------------------
// What a reader checks on a result.

/** readConsent checks the demo's closed consent decision as a reader: the outcome, the count, the reasons. */
async function readConsent(page, lang, api) {
  const T = (k, v) => t(lang, k, v);
  assert.match(await page.locator('main .decision-state').innerText(), new RegExp(escape(T('decide.state.closed'))));
  // The outcome statement, as written by who manages the decision.
  const outcome = page.locator('main #outcome-section');
  assert.equal((await outcome.locator('h2').innerText()).trim(), T('decide.outcome.title'));
  assert.equal((await outcome.locator('.decision-body').innerText()).trim(), api.outcome);
  // What the count says: adopted (nobody blocked), with its table.
  const results = page.locator('main #results');
  assert.equal((await results.locator('h2').innerText()).trim(), T('decide.result.title'));
  assert.equal((await results.locator('.outcome-line').innerText()).trim(), T('decide.result.passed'));
  const table = results.locator('table');
  assert.ok((await table.locator('caption').innerText()).trim().length > 0, 'the count has a caption');
  assert.deepEqual((await table.locator('thead tr th[scope=col]').allInnerTexts()).map((s) => s.trim()), [T('decide.result.position'), T('decide.result.ballots')]);
  const rows = Object.fromEntries(await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.querySelector('th[scope=row]').innerText.trim(), tr.querySelector('td').innerText.trim()])));
  assert.equal(rows[T('decide.position.agree')], '1');
  assert.equal(rows[T('decide.position.object')], '1');
  // The objection's reason is shown with the result.
  assert.match(await results.locator('ul.reasons').innerText(), /proef van drie maanden/);
}

/**
 * readBudget checks the demo budget's result as a reader: the projects the
 * deciding rule funds (the same as the API's), and the table of every
 * rule side by side, with its header row. Returns the winners' ids.
 */
async function readBudget(page, lang) {
  const T = (k, v) => t(lang, k, v);
  const api = await apiGet(page, `/api/v1/budgets/${demo.budget.id}/results`);
  const result = page.locator('main #result');
  assert.equal((await result.locator('h2').innerText()).trim(), T('budget.result.title'));
  assert.equal((await result.locator('p.lead').innerText()).trim(), T('budget.result.decided', { rule: T(`budget.rule.${api.rule}`) }));
  // The winners, listed with links to their projects: those of the API.
  const winners = await result.locator('.funded-list a').evaluateAll((as) => as.map((a) => Number(a.getAttribute('href').slice(2))));
  assert.deepEqual([...winners].sort(), [...api.funded].sort(), 'the winners listed are the API’s');
  // Greedy and Equal Shares side by side; the page says they differ.
  assert.ok((await result.innerText()).includes(T('budget.result.differ')));
  const table = result.locator('table');
  const head = (await table.locator('thead tr th[scope=col]').allInnerTexts()).map((s) => s.trim());
  assert.deepEqual(head.slice(0, 3), [T('budget.result.project'), T('budget.result.cost'), T('budget.result.votes')]);
  const rules = Object.keys(api.rules);
  assert.ok(rules.includes('greedy') && rules.includes('equal-shares'), `the API counts greedy and Equal Shares: ${rules}`);
  assert.equal(head.length, 3 + rules.length, `a column for each rule: ${head.join(' | ')}`);
  for (const rule of rules) assert.ok(head.some((h) => h.startsWith(T(`budget.rule.${rule}`))), `a column for ${rule}: ${head.join(' | ')}`);
  // Each project is a row, its name its header; a cell per rule says funded or not, as the API says.
  const rows = await table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => ({
    name: tr.querySelector('th[scope=row]').innerText.trim(),
    cells: [...tr.querySelectorAll('td')].map((td) => td.innerText.trim()),
  })));
  assert.equal(rows.length, api.projects.length);
  const byTitle = Object.fromEntries(api.projects.map((p) => [p.title, p.id]));
  const order = ['greedy', 'equal-shares', 'equal-shares-add1'].filter((r) => rules.includes(r));
  for (const row of rows) {
    const id = byTitle[row.name];
    assert.ok(id, `${row.name} is a project of the budget`);
    for (const [i, rule] of order.entries()) {
      const funded = api.rules[rule].winners.includes(id);
      assert.equal(row.cells[2 + i].replace(/^✓\s*/, ''), T(funded ? 'budget.result.funded' : 'budget.result.not_funded'), `${row.name} under ${rule}`);
    }
  }
  assert.notDeepEqual([...api.rules.greedy.winners].sort(), [...api.rules['equal-shares'].winners].sort(), 'the demo is where greedy and Equal Shares differ');
  return winners;
}
