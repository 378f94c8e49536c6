// Voting with every method, each once by keyboard only (the demo member,
// in Dutch: Tab, Shift+Tab, Space, the arrow keys, typing and Enter; every
// stop on the way shows its focus) and once without JavaScript (the demo
// moderator, in English): consent (a block without a reason is refused
// with the message at the field, then cast with one), majority, score
// (results hidden until closing), dot voting, approval (secret: its results
// wait for a third ballot), Schulze (a ranking
// by numbered selects, with a tie), instant-runoff, STV for two seats and
// a meeting poll. After each ballot the page says the vote counts, shows
// the ballot (or that a secret one is final) and the results so far (or
// that they stay hidden). The decisions are made through the API by the
// member; proposing through the form is in decide-journeys.test.mjs.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertFocusVisible, autofocused, h1, mainForm, nameOf, notice, press, pressEnterToSubmit, submit, t, tabTo, typeInto,
} from '../lib/samen.mjs';
import { OPTIONS, createDecision, memberPage, signedIn } from '../lib/decide.mjs';

// One decision per method, voted on by the member and the moderator.
const SETTINGS = {
  consent: { secrecy: 'open' },
  majority: { secrecy: 'open', params: { threshold: 'half' } },
  score: { secrecy: 'hidden' },
  dot: { secrecy: 'open', params: { dots: 5 } },
  approval: { secrecy: 'anonymous', params: { max_choices: 2 } },
  schulze: { secrecy: 'open' },
  irv: { secrecy: 'anonymous' },
  stv: { secrecy: 'open', params: { seats: 2 } },
  poll: { secrecy: 'open' },
};
const votes = {};
for (const [method, extra] of Object.entries(SETTINGS)) {
  votes[method] = await createDecision(memberPage, { method, title: `Stemmen met ${method}`, ...extra });
}

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const byId = (id) => `[id="${id}"]`;

/** fresh loads path and goes past the skip link into <main>, as a keyboard user would. */
async function fresh(page, path) {
  await page.goto(path);
  const f = await press(page, 'Tab');
  assert.equal(f.cls, 'skip-link', `first Tab reached ${nameOf(f)}, not the skip link`);
  assert.equal((await press(page, 'Enter')).tag, 'main');
}

/** key presses key n times; each stop shows its focus. */
async function key(page, name, n = 1) {
  let f;
  for (let i = 0; i < n; i++) {
    f = await press(page, name);
    assertFocusVisible(f);
  }
  return f;
}

/**
 * ballotFields lists the ids of the ballot's fields (or groups) matching
 * selector, in the order of the page: the lot's, so a keyboard user meets
 * them in that order.
 */
function ballotFields(page, d, selector) {
  return mainForm(page, `${d.path}/vote`).locator(selector).evaluateAll((els) => els.map((el) => el.id));
}

/** labelOf returns the label (or legend) of the field or group with id. */
function labelOf(page, id) {
  return page.evaluate((i) => {
    const el = document.getElementById(i);
    const text = el.tagName === 'FIELDSET' ? el.querySelector('legend').innerText : document.querySelector(`label[for="${CSS.escape(i)}"]`).innerText;
    return text.trim();
  }, id);
}

/** idOf returns the id of the ballot field (or group) of the option with label. */
function idOf(d, label, prefix = 'value.') {
  const id = d.option[label];
  assert.ok(id, `option ${label} of ${d.title}`);
  return `${prefix}${id}`;
}

/**
 * voted checks what the page says once a ballot is cast: the notice, the
 * ballot (or that a secret one is final) and the results so far; or that
 * they are hidden until closing (hidden), or, for a secret vote with fewer
 * than three ballots, that they come once enough have voted (waiting).
 */
async function voted(page, lang, d, { lines, secret = false, hidden = false, waiting = false }) {
  const T = (k, v) => t(lang, k, v);
  assert.equal(await notice(page), T('notice.decide_voted'));
  assert.equal(new URL(page.url()).hash, '#vote');
  const vote = page.locator('main #vote');
  if (secret) {
    assert.equal((await vote.locator('.voted').innerText()).trim(), T('decide.ballot.final'));
    assert.equal(await mainForm(page, `${d.path}/vote`).count(), 0, 'a secret ballot, once cast, has no form');
  } else {
    const mine = vote.locator('.voted');
    assert.match(await mine.innerText(), new RegExp(escape(T('decide.ballot.yours'))));
    // Lines are compared as a set, and options ranked equal in any order:
    // the page lists them in the order drawn by lot.
    const got = (await mine.locator('ul li').allInnerTexts()).map((s) => s.trim());
    const norm = (line) => {
      const [, place, names] = line.match(/^(\d+\. )?(.*)$/);
      return (place ?? '') + names.split(' = ').sort().join(' = ');
    };
    assert.deepEqual(got.map(norm).sort(), lines.map(norm).sort(), `your ballot on ${d.title}`);
    assert.equal((await mainForm(page, `${d.path}/vote`).locator('button[type=submit]').innerText()).trim(), T('decide.ballot.change'));
  }
  const results = page.locator('main #results');
  assert.equal((await results.locator('h2').innerText()).trim(), T('decide.result.title_live'));
  if (hidden || waiting) {
    const said = (await results.locator('p').innerText()).trim();
    if (hidden) assert.equal(said, T('decide.result.hidden'));
    else assert.equal(said, T('decide.result.waiting', { n: 3 }));
    assert.equal(await results.locator('table').count(), 0, 'results not shown yet have no table');
  } else {
    assert.equal((await results.locator('.hint').first().innerText()).trim(), T('decide.result.live'));
    assert.ok(await results.locator('table thead th').count() > 0, 'the results so far are a table with headers');
  }
}

// ---------------------------------------------------------------------------
// Keyboard only: the demo member, in Dutch.

describe('voting with every method', { concurrency: 2 }, () => {
describe('voting by keyboard only, every method', { concurrency: 1 }, () => {
  const lang = 'nl';
  const T = (k, v) => t(lang, k, v);
  let page;
  const open = async (d) => {
    page ??= await signedIn('member', lang);
    await fresh(page, d.path);
    assert.equal(await h1(page), d.title);
  };
  /** cast tabs on to the ballot's button and presses Enter. */
  const cast = async (d) => {
    await tabTo(page, `main form[action="${d.path}/vote"] button[type=submit]`);
    await pressEnterToSubmit(page);
  };

  it('consent: a block without a reason is refused at the field; with one it counts', { timeout: 120_000 }, async () => {
    const d = votes.consent;
    await open(d);
    // The answers are a radio group: Tab into it, the arrows choose.
    let f = await tabTo(page, byId('position-agree'));
    await key(page, 'Space');
    assert.equal(await page.locator('#position-agree').isChecked(), true);
    f = await key(page, 'ArrowDown', 3);
    assert.equal(f.id, 'position-block');
    assert.equal(await page.locator('#position-block').isChecked(), true, 'three presses of ArrowDown: agree → abstain → object → block');
    await cast(d);

    // Refused: the summary has focus and leads to the reason, which names its message.
    f = await autofocused(page);
    assert.ok(f.cls.includes('error-summary'), `after the refusal focus is on ${nameOf(f)}, not the error summary`);
    assertFocusVisible(f);
    const link = page.locator('main .error-summary a[href="#reason"]');
    const message = (await link.innerText()).trim();
    assert.equal((await page.locator('#reason-error').innerText()).trim(), message);
    assert.equal(await page.locator('#reason').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.locator('#position-block').isChecked(), true, 'the block is kept');
    await tabTo(page, 'main .error-summary a[href="#reason"]');
    f = await press(page, 'Enter');
    assert.equal(f.id, 'reason', `the summary's link led to ${nameOf(f)}`);
    assertFocusVisible(f);
    await typeInto(page, 'Dit gaat in tegen wat we samen afspraken.');
    await cast(d);
    await voted(page, lang, d, { lines: [T('decide.position.block')] });
    assert.match(await page.locator('main #vote .voted').innerText(), /Dit gaat in tegen wat we samen afspraken\./);
    // The count so far: the block stops the proposal.
    assert.equal((await page.locator('main #results .outcome-line').innerText()).trim(), T('decide.result.blocked'));
  });

  it('majority: yes, with Space', { timeout: 120_000 }, async () => {
    const d = votes.majority;
    await open(d);
    await tabTo(page, byId('position-yes'));
    await key(page, 'Space');
    await cast(d);
    await voted(page, lang, d, { lines: [T('decide.position.yes')] });
  });

  it('score: scores by the arrow keys; the results stay hidden until closing', { timeout: 120_000 }, async () => {
    const d = votes.score;
    await open(d);
    // Each option is a group of radios, "no score" chosen: Tab goes from
    // group to group, the arrows move to a score.
    const scores = { [OPTIONS[0]]: 5, [OPTIONS[1]]: 3 };
    for (const id of await ballotFields(page, d, 'fieldset.score-group')) {
      await tabTo(page, byId(`${id}-none`));
      const score = scores[await labelOf(page, id)];
      if (score === undefined) continue;
      const f = await key(page, 'ArrowRight', score + 1);
      assert.equal(f.id, `${id}-${score}`);
      assert.equal(await page.locator(byId(`${id}-${score}`)).isChecked(), true);
    }
    await cast(d);
    await voted(page, lang, d, { secret: true, hidden: true });
  });

  it('dot voting: numbers typed into the fields', { timeout: 120_000 }, async () => {
    const d = votes.dot;
    await open(d);
    const dots = { [OPTIONS[1]]: '3', [OPTIONS[3]]: '2' };
    for (const id of await ballotFields(page, d, 'input[type=number]')) {
      await tabTo(page, byId(id));
      const n = dots[await labelOf(page, id)];
      if (n) await typeInto(page, n);
    }
    await cast(d);
    await voted(page, lang, d, { lines: [T('decide.mine.dots', { option: OPTIONS[1], dots: 3 }), T('decide.mine.dots', { option: OPTIONS[3], dots: 2 })] });
  });

  it('approval: two options ticked with Space', { timeout: 120_000 }, async () => {
    const d = votes.approval;
    await open(d);
    for (const id of await ballotFields(page, d, 'input[type=checkbox]')) {
      await tabTo(page, byId(id));
      if (![OPTIONS[0], OPTIONS[2]].includes(await labelOf(page, id))) continue;
      await key(page, 'Space');
      assert.equal(await page.locator(byId(id)).isChecked(), true);
    }
    await cast(d);
    await voted(page, lang, d, { secret: true, waiting: true });
  });

  /** rank gives each option (label → rank) its number in its select, by the arrow keys. */
  const rank = async (d, ranks) => {
    const order = await ballotFields(page, d, 'select');
    for (const id of order) {
      const label = await labelOf(page, id);
      const want = ranks[label];
      await tabTo(page, byId(id));
      if (want === undefined) continue;
      // "Not ranked", 1, 2, …: ArrowDown as often as the rank.
      await key(page, 'ArrowDown', want);
      assert.equal(await page.locator(byId(id)).inputValue(), String(want), `${label} is ranked ${want}`);
    }
  };

  it('Schulze: a ranking with a tie, by numbered selects', { timeout: 120_000 }, async () => {
    const d = votes.schulze;
    await open(d);
    // The selects are named by their option: the label is read out with them.
    for (const id of await ballotFields(page, d, 'select')) {
      assert.equal(await page.locator(byId(id)).evaluate((el) => el.tagName), 'SELECT');
      assert.ok(OPTIONS.includes(await labelOf(page, id)));
    }
    await rank(d, { [OPTIONS[2]]: 1, [OPTIONS[0]]: 2, [OPTIONS[3]]: 2, [OPTIONS[1]]: 3 });
    // Shift+Tab goes back to the last select; a typed digit changes it too.
    const last = (await ballotFields(page, d, 'select')).at(-1);
    const lastLabel = await labelOf(page, last);
    await tabTo(page, `main form[action="${d.path}/vote"] button[type=submit]`);
    const f = await key(page, 'Shift+Tab');
    assert.equal(f.id, last);
    const before = await page.locator(byId(last)).inputValue();
    await typeInto(page, before);
    assert.equal(await page.locator(byId(last)).inputValue(), before, `typing ${before} keeps ${lastLabel} at ${before}`);
    await cast(d);
    await voted(page, lang, d, {
      lines: [
        T('decide.mine.rank', { place: 1, options: OPTIONS[2] }),
        T('decide.mine.rank', { place: 2, options: [OPTIONS[0], OPTIONS[3]].join(' = ') }),
        T('decide.mine.rank', { place: 3, options: OPTIONS[1] }),
      ],
    });
  });

  it('instant-runoff: three options ranked, one left out', { timeout: 120_000 }, async () => {
    const d = votes.irv;
    await open(d);
    await rank(d, { [OPTIONS[1]]: 1, [OPTIONS[0]]: 2, [OPTIONS[3]]: 3 });
    await cast(d);
    await voted(page, lang, d, { secret: true, waiting: true });
  });

  it('STV for two seats: every option ranked', { timeout: 120_000 }, async () => {
    const d = votes.stv;
    await open(d);
    assert.match(await page.locator('main #rank-hint').innerText(), new RegExp(escape(T('decide.ballot.rank_hint_stv', { seats: 2 }))));
    await rank(d, { [OPTIONS[3]]: 1, [OPTIONS[2]]: 2, [OPTIONS[1]]: 3, [OPTIONS[0]]: 4 });
    await cast(d);
    await voted(page, lang, d, { lines: [3, 2, 1, 0].map((i, place) => T('decide.mine.rank', { place: place + 1, options: OPTIONS[i] })) });
    assert.ok((await page.locator('main #results').innerText()).includes(T('decide.rounds.caption_stv')), 'the stages of the count so far');
  });

  it('meeting poll: yes, maybe and no by Space and the arrow keys', { timeout: 120_000 }, async () => {
    const d = votes.poll;
    await open(d);
    const groups = await mainForm(page, `${d.path}/vote`).locator('fieldset.poll-slot').evaluateAll((els) => els.map((el) => el.id));
    assert.equal(groups.length, 3);
    const names = [];
    for (const [i, group] of groups.entries()) {
      // No answer yet: Tab lands on the first (yes); Space chooses it, the arrows the others.
      await tabTo(page, byId(`${group}-yes`));
      if (i === 0) await key(page, 'Space');
      else await key(page, 'ArrowRight', i);
      const want = ['yes', 'maybe', 'no'][i];
      assert.equal(await page.locator(byId(`${group}-${want}`)).isChecked(), true);
      names.push(T('decide.mine.answer', { option: await labelOf(page, group), answer: T(`decide.answer.${want}`) }));
    }
    await cast(d);
    await voted(page, lang, d, { lines: names });
  });
});

// ---------------------------------------------------------------------------
// Without JavaScript: the demo moderator, in English.

describe('voting without JavaScript, every method', { concurrency: 1 }, () => {
  const lang = 'en';
  const T = (k, v) => t(lang, k, v);
  let page;
  const open = async (d) => {
    page ??= await signedIn('moderator', lang, { javaScriptEnabled: false });
    await page.goto(d.path);
    assert.equal(await h1(page), d.title);
    return mainForm(page, `${d.path}/vote`);
  };
  const field = (form, label, prefix = 'value.') => form.getByLabel(label, { exact: true }).and(form.locator(`[id^="${prefix}"]`));

  it('consent: a block without a reason is refused at the field; with one it counts', { timeout: 120_000 }, async () => {
    const d = votes.consent;
    let form = await open(d);
    await form.getByRole('radio', { name: T('decide.position.block'), exact: true }).check();
    await submit(page, form);
    const link = page.locator('main .error-summary a[href="#reason"]');
    const message = (await link.innerText()).trim();
    assert.equal((await page.locator('#reason-error').innerText()).trim(), message);
    form = mainForm(page, `${d.path}/vote`);
    assert.equal(await form.getByRole('radio', { name: T('decide.position.block'), exact: true }).isChecked(), true, 'the block is kept');
    await form.locator('#reason').fill('This goes against what we agreed.');
    await submit(page, form);
    await voted(page, lang, d, { lines: [T('decide.position.block')] });
  });

  it('majority: no', { timeout: 120_000 }, async () => {
    const d = votes.majority;
    const form = await open(d);
    await form.getByRole('radio', { name: T('decide.position.no'), exact: true }).check();
    await submit(page, form);
    await voted(page, lang, d, { lines: [T('decide.position.no')] });
  });

  it('score: two scores; the results stay hidden until closing', { timeout: 120_000 }, async () => {
    const d = votes.score;
    const form = await open(d);
    await form.locator(byId(`${idOf(d, OPTIONS[0])}-2`)).check();
    await form.locator(byId(`${idOf(d, OPTIONS[3])}-4`)).check();
    await submit(page, form);
    await voted(page, lang, d, { secret: true, hidden: true });
  });

  it('dot voting: five dots on one option', { timeout: 120_000 }, async () => {
    const d = votes.dot;
    const form = await open(d);
    await field(form, OPTIONS[2]).fill('5');
    await submit(page, form);
    await voted(page, lang, d, { lines: [T('decide.mine.dots', { option: OPTIONS[2], dots: 5 })] });
  });

  it('approval: one option ticked', { timeout: 120_000 }, async () => {
    const d = votes.approval;
    const form = await open(d);
    await field(form, OPTIONS[3]).check();
    await submit(page, form);
    await voted(page, lang, d, { secret: true, waiting: true });
  });

  for (const method of ['schulze', 'irv', 'stv']) {
    it(`${method}: a ranking with a tie, by numbered selects`, { timeout: 120_000 }, async () => {
      const d = votes[method];
      const form = await open(d);
      const ranks = { [OPTIONS[0]]: '1', [OPTIONS[1]]: '1', [OPTIONS[2]]: '2' };
      for (const [label, r] of Object.entries(ranks)) await field(form, label).selectOption(r);
      await submit(page, form);
      const lines = [
        T('decide.mine.rank', { place: 1, options: [OPTIONS[0], OPTIONS[1]].join(' = ') }),
        T('decide.mine.rank', { place: 2, options: OPTIONS[2] }),
      ];
      if (method === 'irv') await voted(page, lang, d, { secret: true, waiting: true });
      else await voted(page, lang, d, { lines });
    });
  }

  it('meeting poll: an answer for two of three slots', { timeout: 120_000 }, async () => {
    const d = votes.poll;
    const form = await open(d);
    const groups = form.locator('fieldset.poll-slot');
    const names = [];
    for (const [i, answer] of [[0, 'maybe'], [2, 'yes']]) {
      const group = groups.nth(i);
      await group.getByRole('radio', { name: T(`decide.answer.${answer}`), exact: true }).check();
      names.push(T('decide.mine.answer', { option: (await group.locator('legend').innerText()).trim(), answer: T(`decide.answer.${answer}`) }));
    }
    await submit(page, form);
    await voted(page, lang, d, { lines: names });
    // An open ballot: who voted and how is listed.
    assert.match(await page.locator('main #voters').innerText(), /Mo Moderator: /);
  });
});
});
