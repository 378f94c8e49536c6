// The atlas as people use it: finding an initiative by the list and by the
// map with the keyboard only, proposing one that a moderator accepts,
// reporting and writing to one as a visitor, and two editors who change the
// same entry at once.

import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { inflateSync } from 'node:zlib';
import {
  DEMO, LANGUAGES, assertFocusVisible, axe, countIn, demoInitiatives, focused, h1, login, mainForm, memberInitiatives, nameOf, press,
  pressEnterToSubmit, submit, t, tabTo, typeInto, uniqueWord, useSite,
} from '../lib/samen.mjs';

const site = await useSite();

/** mapReady waits until the map on the page shows its groups and points. */
async function mapReady(page) {
  await page.locator('.map-panel .map-cluster, .map-panel .map-point').first().waitFor();
  await page.locator('.map-status', { hasText: /\d/ }).waitFor();
}

/** markers lists what the map shows: each group's label, each point's name. */
function markers(page) {
  return page.locator('.map-panel .map-cluster, .map-panel .map-point').evaluateAll((els) =>
    els.map((el) => el.getAttribute('aria-label') || el.textContent.trim()));
}

/** notice returns the text of the page's notice (role=status). */
async function notice(page) {
  return (await page.locator('main .notice[role=status]').innerText()).trim();
}

/** resultNames lists the names of the initiatives in the list. */
function resultNames(page) {
  return page.locator('main .results h3 a').allInnerTexts();
}

describe('finding an initiative, keyboard only', () => {
  it('by the list: search, Enter, Tab to the result, Enter', { timeout: 90_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    // A word from one initiative's summary, and no other's.
    const wanted = demoInitiatives.find((i) => i.name === 'Sleutelkring Haarlemmerbuurt');
    const word = wanted.summary.nl.split(/\s+/).find((w) => /^reparatie/i.test(w));
    assert.ok(word && demoInitiatives.filter((i) => i.summary.nl.includes(word)).length === 1, 'the word finds one initiative');

    await page.goto('/atlas');
    let f = await tabTo(page, '#q', 30);
    assert.equal(f.text, t('nl', 'atlas.search'));
    await typeInto(page, word);
    await pressEnterToSubmit(page);
    assert.equal(new URL(page.url()).searchParams.get('q'), word);
    assert.equal((await page.locator('#result-count').innerText()).trim(), t('nl', 'atlas.results.one', { n: 1 }));
    assert.deepEqual(await resultNames(page), [wanted.name]);

    // The map comes first and has stops of its own; wait for it, so that
    // its markers do not appear while Tab goes by.
    await mapReady(page);
    f = await tabTo(page, 'main .results h3 a', 200);
    assert.equal(f.text, wanted.name);
    await pressEnterToSubmit(page);
    assert.match(new URL(page.url()).pathname, /^\/atlas\/\d+$/);
    assert.equal(await h1(page), wanted.name);
    await page.context().close();
  });

  it('by the map: Tab to a group, Enter zooms in, on to a place, Enter', { timeout: 90_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    await page.goto('/atlas');
    await mapReady(page);
    const first = await markers(page);
    assert.ok(first.length > 1, `the map shows several markers: ${first}`);
    assert.ok(await page.locator('.map-panel .map-cluster').count() > 0, 'the map starts with groups');

    // Tab goes through the filters and into the map, where a group is a
    // button saying how many it holds.
    let f = await tabTo(page, '.map-panel .map-cluster', 200);
    const label = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
    assert.equal(label, t('en', 'atlas.map.cluster', { count: f.text }));

    let shown = first;
    for (let zooms = 1; ; zooms++) {
      assert.ok(zooms <= 12, 'twelve zooms did not reach a single place');
      // Enter opens the group: the map zooms in, the markers change, and
      // focus goes to a marker where the group was, not back to the page.
      const opened = await page.evaluateHandle(() => document.activeElement);
      await page.keyboard.press('Enter');
      await page.waitForFunction((el) => !el.isConnected, opened);
      await page.waitForFunction(() => document.activeElement.matches('.map-cluster, .map-point'));
      const now = await markers(page);
      assert.notDeepEqual(now, shown, 'opening a group changes what the map shows');
      shown = now;
      f = await focused(page);
      assertFocusVisible(f);
      if (f.cls.includes('map-point')) break;
    }

    // A place is a link named after its initiative; Enter opens its page.
    const name = f.text;
    assert.ok(name.length > 1, `${nameOf(f)} is named after its initiative`);
    await pressEnterToSubmit(page);
    assert.equal(new URL(page.url()).pathname, f.href);
    assert.equal(await h1(page), name);
    await page.context().close();
  });
});

describe('an initiative is proposed, moderated and found', () => {
  const word = uniqueWord();
  const name = `Vlonderwerf ${word}`;
  let id;
  let onMapBefore;

  /**
   * onMap counts the initiatives the map shows: as the status under it
   * says, and as its groups and places add up.
   */
  async function onMap(page) {
    const said = countIn('nl', 'atlas.map.in_view', await page.locator('.map-status').innerText(), 'count');
    const drawn = await page.locator('.map-panel .map-cluster').evaluateAll((els) => els.reduce((n, el) => n + Number(el.textContent), 0))
      + await page.locator('.map-panel .map-point').count();
    assert.equal(drawn, said, 'the groups and places add up to the number under the map');
    return said;
  }

  it('the member proposes it, by keyboard', { timeout: 120_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    await login(page, DEMO.member.email, DEMO.member.password);
    await page.goto('/atlas/new');
    assert.equal(await h1(page), t('nl', 'atlas.form.new_title'));

    let f = await tabTo(page, '[id="name"]');
    await typeInto(page, name);
    await tabTo(page, '[id="summary.nl"]');
    await typeInto(page, 'Buurtwerf waar bewoners samen boten en steigers repareren.');
    // A sector: Tab to its box, Space ticks it.
    f = await tabTo(page, '#sector-circular');
    assert.equal(f.text, t('nl', 'atlas.sector.circular'));
    await page.keyboard.press('Space');
    assert.equal(await page.locator('#sector-circular').isChecked(), true);
    // A place in Amsterdam, at the IJ.
    await tabTo(page, '[id="location.latitude"]', 80);
    await typeInto(page, '52.3841');
    f = await press(page, 'Tab');
    assert.equal(f.id, 'location.longitude');
    await typeInto(page, '4.9012');
    // A need: the kind is chosen by typing its first letters in the list.
    f = await tabTo(page, '[id="needs.0.kind"]', 20);
    await typeInto(page, t('nl', 'atlas.kind.volunteers'));
    assert.equal(await page.locator('[id="needs.0.kind"]').inputValue(), 'volunteers');
    f = await press(page, 'Tab');
    assert.equal(f.id, 'needs.0.text');
    await typeInto(page, 'Handige handen op zaterdag.');
    // Enter in a text field sends the form.
    await pressEnterToSubmit(page);

    const m = new URL(page.url()).pathname.match(/^\/atlas\/(\d+)$/);
    assert.ok(m, `after proposing, the page is the new initiative's (${page.url()})`);
    id = Number(m[1]);
    assert.equal(await notice(page), t('nl', 'notice.initiative_proposed'));
    assert.equal(await h1(page), name);
    await page.getByText(t('nl', 'atlas.status.pending_note'), { exact: true }).waitFor();
    await page.context().close();
  });

  it('a visitor cannot find it yet', { timeout: 60_000 }, async () => {
    assert.ok(id, 'the proposal was made');
    const page = await site.newPage({ lang: 'nl' });
    await page.goto(`/atlas?q=${word}`);
    assert.equal((await page.locator('#result-count').innerText()).trim(), t('nl', 'atlas.results.other', { n: 0 }));
    await page.getByText(t('nl', 'atlas.no_results'), { exact: true }).waitFor();
    const res = await page.goto(`/atlas/${id}`);
    assert.equal(res.status(), 404);
    assert.equal(await h1(page), t('nl', 'error.title'));
    // How many the map shows, to compare once it is accepted.
    await page.goto('/atlas');
    await mapReady(page);
    onMapBefore = await onMap(page);
    await page.context().close();
  });

  it('the moderator accepts it', { timeout: 60_000 }, async () => {
    assert.ok(id, 'the proposal was made');
    const page = await site.newPage({ lang: 'en' });
    await login(page, DEMO.moderator.email, DEMO.moderator.password);
    await page.locator('header').getByRole('link', { name: t('en', 'nav.moderation') }).click();
    await page.waitForURL('**/moderation');
    assert.equal(await h1(page), t('en', 'moderation.title'));
    const item = page.locator('main .queue-item').filter({ has: page.getByRole('link', { name, exact: true }) });
    assert.equal(await item.count(), 1, 'the proposal waits in the queue');
    assert.match(await item.locator('h3').innerText(), new RegExp(`^${t('en', 'moderation.new_initiative')}: `));
    await Promise.all([
      page.waitForURL((u) => u.searchParams.get('notice') === 'revision_accepted'),
      // Named "Accept: <name>" (the name hidden but for screen readers).
      item.getByRole('button', { name: new RegExp(`^${t('en', 'moderation.accept')}\\s*: ${name}$`) }).click(),
    ]);
    assert.equal(await notice(page), t('en', 'notice.revision_accepted'));
    assert.equal(await page.locator('main .queue-item').filter({ hasText: name }).count(), 0, 'it no longer waits');
    await page.context().close();
  });

  it('a visitor finds it in the list and on the map', { timeout: 60_000 }, async () => {
    assert.ok(id, 'the proposal was made');
    const page = await site.newPage({ lang: 'nl' });
    await page.goto('/atlas');
    await page.locator('#q').fill(word);
    await submit(page, mainForm(page, '/atlas'));
    assert.deepEqual(await resultNames(page), [name]);
    await mapReady(page);
    // The map shows what the list shows: this one place, as a link to it.
    const point = page.locator('.map-panel .map-point');
    assert.equal(await point.count(), 1);
    assert.equal(await point.getAttribute('href'), `/atlas/${id}`);
    assert.equal((await point.innerText()).trim(), name);
    assert.equal(await point.isVisible(), true);
    await page.locator('.map-status', { hasText: t('nl', 'atlas.map.in_view', { count: 1 }) }).waitFor();
    // Without the search too, it is on the map, a place or in a group: the
    // map holds one more than before.
    await page.goto('/atlas');
    await mapReady(page);
    assert.equal(await onMap(page), onMapBefore + 1, 'the map shows one initiative more');
    await page.context().close();
  });

  it('the member was told by mail', { timeout: 60_000 }, async () => {
    assert.ok(id, 'the proposal was made');
    const mail = await site.readMail(DEMO.member.email, { subject: name });
    assert.equal(mail.subject, t('nl', 'mail.proposal_accepted.subject', { initiative: name, site: t('nl', 'site.name') }));
    assert.match(mail.body, new RegExp(`https?://[^\\s]+/atlas/${id}(\\s|$)`));
  });
});

describe('a visitor reports and writes', () => {
  const target = demoInitiatives.find((i, n) => n >= 3 && i.contact?.email);

  it('reports a mistake; the moderators see it', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'nl' });
    await page.goto(`/atlas/${await site.initiativeId(target.name)}`);
    await page.getByRole('link', { name: t('nl', 'atlas.report.link') }).click();
    await page.waitForURL('**/report');
    assert.equal(await h1(page), `${t('nl', 'atlas.report.title')}: ${target.name}`);
    const form = page.locator('main form');
    // Sent without a reason, the form says what is missing.
    await submit(page, form);
    const summary = page.locator('main .error-summary');
    assert.equal(await summary.getAttribute('role'), 'alert');
    await summary.getByRole('link').first().waitFor();
    await form.getByLabel(t('nl', 'atlas.reason.closed')).check();
    await form.getByLabel(t('nl', 'atlas.report.message')).fill('Het pand staat al een jaar leeg.');
    await submit(page, form);
    assert.equal(await h1(page), target.name);
    assert.equal(await notice(page), t('nl', 'notice.report_received'));

    const mod = await site.newPage({ lang: 'nl' });
    await login(mod, DEMO.moderator.email, DEMO.moderator.password);
    await mod.goto('/moderation');
    const row = mod.locator('main table tbody tr').filter({ has: mod.getByRole('link', { name: target.name, exact: true }) });
    assert.equal(await row.count(), 1, 'the report is listed');
    assert.match(await row.innerText(), new RegExp(`${t('nl', 'atlas.reason.closed')}: Het pand staat al een jaar leeg\\.`));
    await page.context().close();
    await mod.context().close();
  });

  it('writes to the initiative; the message goes to its address', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    await page.goto(`/atlas/${await site.initiativeId(target.name)}`);
    // The address itself is never shown.
    assert.doesNotMatch(await page.locator('main').innerText(), new RegExp(target.contact.email.replace(/[.]/g, '\\.')));
    await page.getByRole('link', { name: t('en', 'atlas.contact.button') }).click();
    await page.waitForURL('**/contact');
    assert.equal(await h1(page), `${t('en', 'atlas.contact.title')}: ${target.name}`);
    const form = page.locator('main form');
    const message = `Could we borrow your space one evening? (${uniqueWord()})`;
    await form.getByLabel(t('en', 'form.name')).fill('Vera Visitor');
    await form.getByLabel(t('en', 'form.email')).fill('vera@example.org');
    await form.getByLabel(t('en', 'atlas.contact.message')).fill(message);
    await submit(page, form);
    assert.equal(await h1(page), target.name);
    assert.equal(await notice(page), t('en', 'notice.message_sent'));

    const mail = await site.readMail(target.contact.email);
    assert.match(mail.subject, new RegExp(target.name));
    assert.ok(mail.body.includes(message), `the mail holds the message:\n${mail.body}`);
    assert.ok(mail.body.includes('Vera Visitor'), 'the mail says who wrote');
    await page.context().close();
  });
});

describe('two editors change the same initiative', () => {
  it('the second is told that someone else changed it first', { timeout: 90_000 }, async () => {
    const entry = memberInitiatives[1];
    const id = await site.initiativeId(entry.name);
    const member = await site.newPage({ lang: 'nl' });
    await login(member, DEMO.member.email, DEMO.member.password);
    const moderator = await site.newPage({ lang: 'en' });
    await login(moderator, DEMO.moderator.email, DEMO.moderator.password);

    // Both open the form on the same version.
    await member.goto(`/atlas/${id}/edit`);
    await moderator.goto(`/atlas/${id}/edit`);
    const action = `/atlas/${id}/edit`;
    assert.equal(await mainForm(member, action).locator('input[name=base]').inputValue(),
      await mainForm(moderator, action).locator('input[name=base]').inputValue());

    // The member, an editor, saves first: online at once.
    const summary = `Avondschool met cursussen over coöperatief ondernemen (${uniqueWord()}).`;
    await mainForm(member, action).locator('[id="summary.nl"]').fill(summary);
    await submit(member, mainForm(member, action));
    assert.equal(await notice(member), t('nl', 'notice.edit_published'));
    await member.getByText(summary, { exact: true }).waitFor();

    // The moderator, still on the old version, is stopped and told why.
    await mainForm(moderator, action).locator('[id="summary.en"]').fill('An evening school about co-operatives.');
    await submit(moderator, mainForm(moderator, action));
    assert.equal(await h1(moderator), t('en', 'atlas.form.edit_title'));
    const alert = moderator.locator('main .error-summary');
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal((await alert.locator('li').innerText()).trim(), t('en', 'error.atlas.edit_conflict'));
    // The member's change stands, and is the newest version in the history.
    await moderator.goto(`/atlas/${id}/history`);
    const newest = moderator.locator('main .revision').first();
    assert.match(await newest.innerText(), new RegExp(`${t('en', 'atlas.history.current')}[\\s\\S]*${summary.replace(/[().]/g, '\\$&')}`));
    await member.context().close();
    await moderator.context().close();
  });
});

describe('the atlas on a phone', () => {
  // Issue 16: at 390 px the first initiatives used to come several screens
  // down, below some 25 filter checkboxes and the map. Now the search box
  // and the list come first; the filters and the map open on demand.
  const PHONE = { width: 390, height: 844 };
  const firstResultTop = (page) => page.locator('main .results h3 a').first().evaluate((el) => el.getBoundingClientRect().top + window.scrollY);

  for (const lang of LANGUAGES) {
    it(`shows the first initiative on the first screen and a half, with and without JavaScript, ${lang}`, { timeout: 90_000 }, async () => {
      for (const javaScriptEnabled of [true, false]) {
        const page = await site.newPage({ lang, javaScriptEnabled });
        try {
          await page.setViewportSize(PHONE);
          await page.goto('/atlas?sector=food');
          const top = await firstResultTop(page);
          assert.ok(top < 1.5 * PHONE.height, `JavaScript ${javaScriptEnabled}: the first initiative starts at ${top} px, below ${1.5 * PHONE.height}`);
          // The folded filters say how many are chosen and keep them.
          const summary = page.locator('main details.filter-fold > summary');
          assert.equal((await summary.innerText()).trim(), `${t(lang, 'atlas.filters_more')} (${t(lang, 'atlas.filters_active', { count: 1 })})`);
          assert.equal(await page.locator('#f-sector-food').isVisible(), false, 'the filters are folded');
          if (javaScriptEnabled) {
            // Nothing of MapLibre is fetched for a map nobody opened.
            await page.waitForLoadState('networkidle');
            const fetched = await page.evaluate(() => performance.getEntriesByType('resource').map((r) => r.name).filter((n) => n.includes('maplibre')));
            assert.deepEqual(fetched, [], 'MapLibre is not fetched while the map is folded');
            await axe(page, `/atlas on a phone, folded, ${lang}`);
          }
          await summary.click();
          assert.equal(await page.locator('#f-sector-food').isChecked(), true, 'the chosen sector is checked in the opened filters');
          // The search box and its button stay outside the fold.
          await page.locator('main form[role=search] button[type=submit]').waitFor({ state: 'visible' });
          if (javaScriptEnabled) {
            await axe(page, `/atlas on a phone, filters open, ${lang}`);
            const show = page.locator('main details.map-fold > summary');
            assert.equal((await show.innerText()).trim(), t(lang, 'atlas.map.show'));
            await show.focus();
            await page.keyboard.press('Enter');
            await page.locator('.map-panel .map-cluster, .map-panel .map-point').first().waitFor();
            await axe(page, `/atlas on a phone, map open, ${lang}`);
          }
        } finally {
          await page.context().close();
        }
      }
    });
  }

  it('keeps the filters and the map beside the list on a wide screen', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto('/atlas?sector=food');
      assert.equal(await page.locator('#f-sector-food').isVisible(), true, 'the filters are shown');
      assert.equal(await page.locator('main details.filter-fold > summary').isVisible(), false, 'no fold on a wide screen');
      await page.locator('.map-panel .map-cluster, .map-panel .map-point').first().waitFor();
      const filters = await page.locator('main form[role=search]').boundingBox();
      const list = await page.locator('main .results').boundingBox();
      assert.ok(filters.x + filters.width <= list.x, 'the filters are beside the list');
    } finally {
      await page.context().close();
    }
  });
});

/**
 * pixels decodes a PNG as Chromium writes screenshots (8 bits a channel,
 * RGB or RGBA, not interlaced) into { width, height, channels, data },
 * undoing each row's filter (PNG specification, section 9).
 */
function pixels(png) {
  let pos = 8;
  let width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < png.length) {
    const len = png.readUInt32BE(pos);
    const type = png.toString('ascii', pos + 4, pos + 8);
    const body = png.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      assert.equal(body[8], 8, 'an 8-bit PNG');
      channels = { 2: 3, 6: 4 }[body[9]];
      assert.ok(channels && body[12] === 0, 'an RGB or RGBA PNG, not interlaced');
    } else if (type === 'IDAT') {
      idat.push(body);
    }
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const data = Buffer.alloc(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    for (let x = 0; x < stride; x++) {
      const v = raw[y * (stride + 1) + 1 + x];
      const a = x >= channels ? data[y * stride + x - channels] : 0;
      const b = y > 0 ? data[(y - 1) * stride + x] : 0;
      const c = x >= channels && y > 0 ? data[(y - 1) * stride + x - channels] : 0;
      const p = a + b - c;
      const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
      const paeth = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      data[y * stride + x] = (v + [0, a, b, (a + b) >> 1, paeth][filter]) & 0xff;
    }
  }
  return { width, height, channels, data };
}

describe('the map has geography of its own', () => {
  // Issue 16: without an operator's basemap the map drew its clusters on a
  // plain grey field. The demo has no basemap setting: its first view must
  // show land and water (samen's own Natural Earth land and lakes).
  it('shows land and water at its first view on the demo', { timeout: 60_000 }, async () => {
    const page = await site.newPage({ lang: 'en' });
    try {
      await page.setViewportSize({ width: 1280, height: 900 });
      await page.goto('/atlas');
      await mapReady(page);
      await page.waitForLoadState('networkidle');
      const img = pixels(await page.locator('.map-panel canvas').screenshot());
      const share = (hex) => {
        const want = [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
        let n = 0;
        for (let i = 0; i < img.data.length; i += img.channels) {
          if (want.every((v, k) => Math.abs(img.data[i + k] - v) <= 6)) n++;
        }
        return n / (img.width * img.height);
      };
      const land = share('#f3f0e8'), water = share('#cfe2ec');
      assert.ok(land > 0.05, `land covers ${(land * 100).toFixed(1)} % of the map`);
      assert.ok(water > 0.02, `water covers ${(water * 100).toFixed(1)} % of the map`);
    } finally {
      await page.context().close();
    }
  });
});
