// Deciding together as the decide tests find it and set it up, shared by
// the tests/decide-*.test.mjs files. Each of those files imports this module
// in a process of its own, and so starts its own samen (with a fresh demo)
// and Chromium: the files can run side by side.
//
// The demo (internal/demo/decide.go) has, in the first demo initiative's
// workspace (the demo member is its core team, the demo moderator in its
// members circle), a closed consent decision with an outcome, an open
// Schulze vote (the moderator voted) and an open meeting poll; city-wide, a
// closed participatory budget for Noord with its result. They are found
// through the API, never by their ids.

import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { DEMO, LANGUAGES, axe, h1, htmlLang, login, mainForm, notice, submit, t, useSite } from './samen.mjs';

export const site = await useSite();

/** signedIn opens a context in lang signed in as one of the demo accounts. */
export async function signedIn(who, lang = 'nl', options = {}) {
  const page = await site.newPage({ lang, ...options });
  await login(page, DEMO[who].email, DEMO[who].password);
  return page;
}

/** The demo's workspace (slug, name, base) and its decisions and budget. */
export const ws = {};
export const demo = {};
/** A page signed in as the demo member (core) and one as the moderator, in Dutch, for setting things up. */
export let memberPage;
export let moderatorPage;

await (async () => {
  memberPage = await signedIn('member');
  moderatorPage = await signedIn('moderator');
  const list = (await apiGet(memberPage, '/api/v1/workspaces')).workspaces;
  const core = list.find((w) => w.initiative_id !== undefined && w.circle === 'core');
  assert.ok(core, `the demo member is the core team of a workspace: ${JSON.stringify(list)}`);
  Object.assign(ws, { slug: core.slug, name: core.name, base: `/workspaces/${core.slug}` });

  const decisions = (await apiGet(memberPage, `/api/v1/workspaces/${ws.slug}/decisions`)).decisions;
  const find = (method, state) => {
    const d = decisions.find((x) => x.method === method && x.state === state);
    assert.ok(d, `the demo workspace has a ${state} ${method} decision: ${JSON.stringify(decisions)}`);
    return { id: d.id, path: `/decisions/${d.id}`, title: d.title };
  };
  demo.consent = find('consent', 'closed');
  demo.schulze = find('schulze', 'voting');
  demo.poll = find('poll', 'voting');
  const budgets = (await apiGet(memberPage, '/api/v1/budgets')).budgets;
  const b = budgets.find((x) => x.phase === 'result');
  assert.ok(b, `the demo has a participatory budget with its result: ${JSON.stringify(budgets)}`);
  demo.budget = { id: b.id, path: `/budgets/${b.id}`, title: b.title, projects: b.projects };
})();

// ---------------------------------------------------------------------------
// The API, with a page's session.

export async function apiGet(page, path) {
  const res = await page.request.get(path);
  assert.equal(res.status(), 200, `GET ${path}: ${res.status()} ${await res.text()}`);
  return res.json();
}

async function apiSend(page, method, path, body, want) {
  const res = await page.request.fetch(path, { method, data: body, headers: { 'Content-Type': 'application/json' } });
  assert.equal(res.status(), want, `${method} ${path}: ${res.status()} ${await res.text()}`);
  return res.status() === 204 ? null : res.json();
}

/** inDays returns an instant days from now (fractions allowed), as the API takes it. */
export function inDays(days) {
  return new Date(Date.now() + days * 24 * 3600 * 1000).toISOString();
}

/** slot returns a meeting poll's time slot days from now at hour (UTC), two hours long. */
export function slot(days, hour) {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  d.setUTCHours(hour, 0, 0, 0);
  return { starts_at: d.toISOString(), ends_at: new Date(d.getTime() + 2 * 3600 * 1000).toISOString() };
}

/** The options of the votes the tests create: four, named so a reader tells them apart. */
export const OPTIONS = ['Appelboomgaard', 'Bijenhotel', 'Composthoop', 'Dakterras'];

/**
 * createDecision has page's account propose a decision in the demo
 * workspace through the API (voted on by the core, contributors and
 * members circles, so by the member and the moderator) and, unless told
 * otherwise, publish it and open voting. Returns the decision as the API
 * gives it, with path and `option` (its option ids by label).
 */
export async function createDecision(page, { method, title, secrecy = 'open', params = {}, options, closesAt = inDays(7), state = 'voting', body = 'Een voorstel dat de tests doen.' }) {
  if (options === undefined) {
    options = method === 'poll'
      ? [{ ...slot(20, 17) }, { ...slot(21, 17) }, { ...slot(22, 17), label: 'Zaterdag' }]
      : method === 'consent' || method === 'majority' ? [] : OPTIONS.map((label) => ({ label }));
  }
  let d = await apiSend(page, 'POST', `/api/v1/workspaces/${ws.slug}/decisions`, {
    title, body, language: 'nl', method, params, secrecy, visibility: 'members',
    circles: ['core', 'contributors', 'members'], closes_at: closesAt, options,
  }, 201);
  if (state === 'discussion' || state === 'voting') d = await apiSend(page, 'POST', `/api/v1/decisions/${d.id}/state`, { to: 'discussion' }, 200);
  if (state === 'voting') d = await apiSend(page, 'POST', `/api/v1/decisions/${d.id}/state`, { to: 'voting' }, 200);
  return described(d);
}

function described(d) {
  return { ...d, path: `/decisions/${d.id}`, option: Object.fromEntries(d.options.map((o) => [o.label || o.starts_at, o.id])) };
}

/** decision reads a decision as page's account sees it through the API. */
export async function decision(page, id) {
  return described(await apiGet(page, `/api/v1/decisions/${id}`));
}

/** castBallot casts page's account's ballot through the API. */
export function castBallot(page, id, ballot) {
  return apiSend(page, 'POST', `/api/v1/decisions/${id}/ballot`, ballot, 204);
}

/**
 * closed waits until decision id has closed: its closing time passed and
 * the server counted it (a page read after the time catches up by itself).
 */
export async function closed(page, id, closesAt) {
  const wait = new Date(closesAt).getTime() - Date.now();
  if (wait > 0) await new Promise((res) => setTimeout(res, wait + 500));
  for (let i = 0; i < 30; i++) {
    const d = await decision(page, id);
    if (d.state === 'closed') return d;
    await new Promise((res) => setTimeout(res, 1000));
  }
  assert.fail(`decision ${id} did not close`);
}

// ---------------------------------------------------------------------------
// Participatory budgets, through the forms (the API makes no budgets).

/** budgetIdFrom reads a budget's id from the address of its page. */
export function budgetIdFrom(page) {
  const m = new URL(page.url()).pathname.match(/^\/budgets\/(\d+)$/);
  assert.ok(m, `${page.url()} is a budget's page`);
  return Number(m[1]);
}

/**
 * newBudget has a steward (on page, in lang) start a city-wide budget
 * through the form on /budgets/new; returns its id and path.
 */
export async function newBudget(page, lang, { title, total = '10000', kind = 'knapsack', district = '', rule = 'equal-shares', closesAt = '' }) {
  await page.goto('/budgets/new');
  const form = mainForm(page, '/budgets/new');
  await form.locator('#title').fill(title);
  await form.locator('#total').fill(total);
  if (district) await form.locator('#district').selectOption(district);
  await form.locator(`#ballot_kind-${kind}`).check();
  await form.locator(`[id="rule-${rule}"]`).check();
  if (closesAt) await form.locator('#closes_at').fill(closesAt);
  await submit(page, form);
  assert.equal(await notice(page), t(lang, 'notice.budget_created'));
  const id = budgetIdFrom(page);
  return { id, path: `/budgets/${id}`, title };
}

/** propose proposes a project (on page, on a budget's page) through its form. */
export async function propose(page, lang, path, { title, description = 'Een plan van bewoners.', cost }) {
  await page.goto(path);
  const form = mainForm(page, `${path}/propose`);
  await form.locator('#title').fill(title);
  await form.locator('#description').fill(description);
  await form.locator('#cost').fill(String(cost));
  await submit(page, form);
  assert.equal(await notice(page), t(lang, 'notice.budget_proposed'));
}

/** advance moves a budget (its manager on page) to its next phase with its button. */
export async function advance(page, lang, path, to) {
  await page.goto(path);
  await submit(page, mainForm(page, `${path}/advance`));
  assert.equal(await notice(page), t(lang, `notice.budget_phase_${to}`));
}

/** review accepts (or rejects, with note) a project by its title, through its review form. */
export async function review(page, lang, path, projectTitle, { accept = true, note = '' } = {}) {
  await page.goto(path);
  const form = page.locator(`main article.project:has(h3:text-is("${projectTitle}")) form[action="${path}/review"]`);
  await form.locator(`input[name=decision][value=${accept ? 'accept' : 'reject'}]`).check();
  if (note) await form.locator('textarea[name=note]').fill(note);
  await submit(page, form);
  assert.equal(await notice(page), t(lang, 'notice.budget_reviewed'));
}

/**
 * localIn returns a datetime-local value (Amsterdam) days from now, as a
 * form takes it; at ("19:30") sets the time of that day.
 */
export function localIn(days, at) {
  const d = new Date(Date.now() + days * 24 * 3600 * 1000);
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: 'Europe/Amsterdam', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(d);
  const p = Object.fromEntries(parts.map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}T${at ?? `${p.hour}:${p.minute}`}`;
}

/**
 * budgetInVoting has a steward start a city-wide knapsack budget of
 * `total` euros through the forms, propose the projects (title → euros),
 * accept them all and open voting. Returns the budget.
 */
export async function budgetInVoting(page, lang, { title, total = '10000', projects, district = '' }) {
  const b = await newBudget(page, lang, { title, total, district, closesAt: localIn(14) });
  for (const [name, cost] of Object.entries(projects)) await propose(page, lang, b.path, { title: name, cost });
  await advance(page, lang, b.path, 'review');
  for (const name of Object.keys(projects)) await review(page, lang, b.path, name);
  await advance(page, lang, b.path, 'voting');
  return b;
}

// ---------------------------------------------------------------------------
// axe-core on a list of pages, Dutch and English side by side.

/**
 * axePages runs axe-core on every page pagesFor(lang) lists, in Dutch and
 * English side by side, each language's pages one after another. An entry
 * opens one page (in the state named) on the page object of its role,
 * `as`: visitor, steward, core (the demo member), member (the demo
 * moderator); `heading` is the message key of the <h1> or a function
 * returning its text; `expect` a further check. A failure names every
 * problem of its page: the check's and axe's.
 */
export function axePages(title, pagesFor) {
  describe(title, { concurrency: LANGUAGES.length }, () => {
    for (const lang of LANGUAGES) {
      describe(`${title}, ${lang === 'nl' ? 'Dutch' : 'English'}`, { concurrency: 1 }, () => {
        const entries = pagesFor(lang);
        const who = {};
        before(async () => {
          const roles = new Set(entries.map((e) => e.as));
          if (roles.has('visitor')) who.visitor = await site.newPage({ lang });
          if (roles.has('steward')) who.steward = await signedIn('steward', lang);
          if (roles.has('core')) who.core = await signedIn('member', lang);
          if (roles.has('member')) who.member = await signedIn('moderator', lang);
        });

        for (const entry of entries) {
          it(entry.name, { timeout: 120_000 }, async () => {
            const page = who[entry.as];
            await entry.open(page);
            assert.equal(await htmlLang(page), lang);
            const heading = typeof entry.heading === 'function' ? await entry.heading(page) : t(lang, entry.heading);
            assert.equal(await h1(page), heading);
            const failures = [];
            if (entry.expect) await entry.expect(page).catch((err) => failures.push(err));
            await axe(page, `${entry.name} [${lang}]`).catch((err) => failures.push(err));
            if (failures.length === 1) throw failures[0];
            if (failures.length > 1) assert.fail(failures.map((e) => e.message).join('\n\n'));
          });
        }
      });
    }
  });
}

/** summaryLeadsTo checks that the error summary names message key and links to an element (#id) that shows it. */
export const summaryLeadsTo = (lang, id, key) => async (p) => {
  const link = p.locator(`main .error-summary a[href="#${id}"]`);
  assert.equal((await link.innerText()).trim(), t(lang, key));
  assert.equal(await p.locator(`[id="${id}"]`).count(), 1, `the summary's link #${id} leads somewhere`);
  assert.ok((await p.locator(`[id="${id}"]`).innerText()).includes(t(lang, key)), `#${id} shows the message`);
};
