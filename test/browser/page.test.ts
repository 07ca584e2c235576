/**
 * The page at / in a real browser (Debian's chromium through playwright-core), against a real
 * service on a model trained by `neurec train`: it loads with no console error and shows the
 * model's training curves; a new user rates three Horror movies, the recommendations are asked
 * again after each and turn toward Horror; "more like this" opens; a known user's lists; an
 * API error shown as a message; a phone-sized window.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'path';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/report/browser';
import { loadLiveModel } from '../../src/cli/serve';
import { readRun } from '../../src/report/run_data';
import { runFigures } from '../../src/report/run_figures';
import { serveLive, type Running } from '../serve/helpers';
import { chromiumHere, train, workDir } from './setup';

const GENRE = 'Horror';
const RECS = '[data-testid=recs]';

if (chromiumHere('page in a browser')) {
  const work = workDir('page');
  let s: Running, browser: Browser, page: Page, runDir: string;
  const errors: string[] = [];
  const shot = (name: string, fullPage = true) => page.screenshot({ path: path.join(work.shots, `${name}.png`), fullPage });
  /** Genre counts of the recommendations on screen. */
  const recGenres = () => page.locator(`${RECS} li`).evaluateAll((lis) => lis.map((li) => (li as unknown as { dataset: { genres: string } }).dataset.genres.split('|')));
  const updates = async () => Number(await page.locator(RECS).getAttribute('data-updates'));

  test.before(async () => {
    // MF with 32 factors: three epochs on the synthetic set learn its planted genre tastes.
    runDir = train(path.join(work.dir, 'mf'), '--model', 'mf', '--factors', '32', '--epochs', '3', '--no-refit');
    s = await serveLive(await loadLiveModel(runDir, undefined, () => {}));
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(e.message));
  });
  test.after(async () => {
    await browser?.close();
    await s?.close();
    work.done();
  });

  test('the page loads with no console error: the model, a first list, the training curves', async () => {
    await page.goto(`${s.url}/`);
    await page.waitForSelector(`${RECS}[data-updates="1"] li`);
    const want = runFigures([readRun(runDir)]);
    await page.waitForFunction(`document.querySelectorAll('[data-testid=model] .plot[data-series] canvas').length === ${want.length}`);
    const drawn = await page.locator('[data-testid=model] .plot[data-series]').evaluateAll((els) => els.map((e) => [(e as unknown as { dataset: { figure: string; series: string } }).dataset.figure, Number((e as unknown as { dataset: { series: string } }).dataset.series)]));
    assert.equal(drawn, want.map((f) => [f.id, f.series.length]));
    assert.match(await page.locator('header').innerText(), /mf · mf@[0-9a-f]{12} · synthetic/);
    assert.is(await page.locator('[data-strategy]').first().innerText(), 'popularity');
    await shot('1-new-user-start');
    assert.equal(errors, [], 'console errors');
  });

  test(`a new user rates three ${GENRE} movies (mouse, Enter, Space) and the list turns toward ${GENRE}`, async () => {
    const before = (await recGenres()).filter((g) => g.includes(GENRE)).length;
    await page.locator('[data-testid=new] label.row select').selectOption(GENRE);
    const list = page.locator('[aria-label="Popular movies to rate"] li');
    await page.waitForFunction(`(() => {
      const lis = [...document.querySelectorAll('[aria-label="Popular movies to rate"] li')];
      return lis.length > 3 && lis.every((li) => li.dataset.genres.split('|').includes(${JSON.stringify(GENRE)}));
    })()`);
    const press = [
      async (b: ReturnType<Page['locator']>) => b.click(),
      async (b: ReturnType<Page['locator']>) => { await b.focus(); await page.keyboard.press('Enter'); },
      async (b: ReturnType<Page['locator']>) => { await b.focus(); await page.keyboard.press('Space'); },
    ];
    const seen: string[] = [];
    for (let k = 0; k < 3; k++) {
      const n = await updates();
      await press[k](list.nth(k).locator('.stars button').nth(4));
      await page.waitForSelector(`${RECS}[data-updates="${n + 1}"]`);
      seen.push(await page.locator('[data-strategy]').first().innerText());
    }
    assert.equal(seen, ['fold-in', 'fold-in', 'fold-in']);
    assert.match(await page.locator('[data-testid=rated]').innerText(), /You rated 3/);
    const after = (await recGenres()).filter((g) => g.includes(GENRE)).length;
    assert.ok(after > before, `${GENRE} in the top 10: ${before} before, ${after} after three ratings`);
    assert.ok(await page.locator(`${RECS} .badge`).count() > 0, 'new entries are marked');
    await shot('2-new-user-after-three-ratings');
    assert.equal(errors, []);
  });

  test('"more like this" opens the similar movies; Escape closes them', async () => {
    const first = page.locator(`${RECS} li`).first();
    const title = await first.locator('.title').innerText();
    await first.locator('button.more').click();
    await page.waitForSelector('dialog[open] ol.movies li');
    assert.match(await page.locator('dialog h2').innerText(), new RegExp(`More like ${title.replace(/[()]/g, '\\$&')}`));
    assert.is(await page.locator('dialog[open] ol.movies li').count(), 10);
    await shot('3-more-like-this', false);
    await page.keyboard.press('Escape');
    await page.waitForSelector('dialog[open]', { state: 'detached' });
    assert.equal(errors, []);
  });

  test('a known user: top 10 and what they rated', async () => {
    await page.getByRole('button', { name: 'Pick a known user' }).click();
    await page.getByRole('button', { name: /Show their top 10/ }).click();
    await page.waitForSelector('[data-testid=known] [aria-label^="Top 10"] li');
    assert.is(await page.locator('[data-testid=known] [aria-label^="Top 10"] li').count(), 10);
    assert.ok(await page.locator('[data-testid=known] [aria-label^="What user"] li .stars-shown').count() > 0);
    assert.is(await page.locator('[data-testid=known] [data-strategy]').innerText(), 'model');
    await shot('4-known-user');
    assert.equal(errors, []);
  });

  test('an error from the API is shown as a message, not a blank', async () => {
    await page.locator('[data-testid=known] input[name=user]').fill('u'.repeat(201));
    await page.getByRole('button', { name: /Show their top 10/ }).click();
    const alert = page.locator('[data-testid=known] [role=alert]');
    await alert.waitFor();
    assert.match(await alert.innerText(), /must NOT have more than 200 characters/);
    await page.getByRole('button', { name: 'Start as a new user' }).click();
    await page.locator('input.age').fill('0');
    await page.getByRole('button', { name: 'Save profile' }).click();
    const bad = page.locator('[data-testid=new] [role=alert]');
    await bad.waitFor();
    assert.match(await bad.innerText(), /age/);
    await shot('5-error-shown');
  });

  test('a phone-sized window: one column, nothing wider than the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.waitForFunction(`[...document.querySelectorAll('.plot[data-width]')].every((e) => Number(e.dataset.width) <= 390)`);
    const wide = await page.evaluate('document.documentElement.scrollWidth');
    assert.ok((wide as number) <= 390, `the page is ${wide}px wide`);
    await shot('6-phone-top', false);
    await page.locator(RECS).scrollIntoViewIfNeeded();
    await shot('7-phone-recommendations', false);
    await page.locator('[data-testid=model] figure').first().scrollIntoViewIfNeeded();
    await shot('8-phone-training-curve', false);
  });

  test.run();
}
