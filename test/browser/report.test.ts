/**
 * Report files in a real browser: `neurec report` over a GMF run (with its refit) and an MLP
 * run that scored the test set each epoch draws every chart with the right number of series,
 * from disk, asking the network for nothing; --png writes a picture; `neurec data stats --html`
 * draws the data set's charts.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'fs';
import * as path from 'path';
import { pathToFileURL } from 'url';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from '../../src/report/browser';
import { readRun } from '../../src/report/run_data';
import { runFigures } from '../../src/report/run_figures';
import { chromiumHere, neurec, train, workDir } from './setup';

/** Opens a file, waits for the charts, and returns [figure id, series drawn, has a canvas] per chart and the requests made. */
async function open(page: Page, file: string): Promise<{ charts: [string, number, boolean][]; requests: string[]; errors: string[] }> {
  const requests: string[] = [], errors: string[] = [];
  page.on('request', (r) => { if (!/^(file|data):/.test(r.url())) requests.push(r.url()); });
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href);
  await page.waitForSelector('body[data-rendered="true"]');
  const charts = await page.locator('.plot[data-figure]').evaluateAll((els) => els.map((e) => {
    const el = e as unknown as { dataset: { figure: string; series: string }; querySelector(s: string): unknown };
    return [el.dataset.figure, Number(el.dataset.series), !!el.querySelector('canvas')] as [string, number, boolean];
  }));
  return { charts, requests, errors };
}

if (chromiumHere('reports in a browser')) {
  const work = workDir('report');
  let browser: Browser;
  test.before(async () => {
    browser = await launchChromium();
  });
  test.after(async () => {
    await browser?.close();
    work.done();
  });

  test('neurec report: GMF (refit) and MLP (test each epoch) overlaid, every chart drawn with its series, no network', async () => {
    // Small and short: what is checked is the drawing, not the learning.
    const gmf = train(path.join(work.dir, 'gmf'), '--model', 'gmf', '--epochs', '2', '--batch', '1024');
    const mlp = train(path.join(work.dir, 'mlp'), '--model', 'mlp', '--layers', '16,8', '--epochs', '2', '--batch', '1024', '--no-refit', '--test-each-epoch');
    const out = path.join(work.dir, 'report.html');
    const printed = neurec('report', gmf, mlp, '--out', out, '--png');
    assert.match(printed, /# report: .*report\.html/);
    const png = path.join(work.dir, 'report.png');
    assert.equal([...fs.readFileSync(png).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47], 'a PNG');
    fs.copyFileSync(png, path.join(work.shots, 'report-gmf-mlp.png'));

    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const { charts, requests, errors } = await open(page, out);
    // loss: gmf, gmf refit, mlp; HR@10 and NDCG@10: gmf validation, mlp validation, mlp test.
    assert.equal(charts, [['loss', 3, true], ['hr10', 3, true], ['ndcg10', 3, true]]);
    assert.equal(charts.map(([id, n]) => [id, n]), runFigures([readRun(gmf), readRun(mlp)]).map((f) => [f.id, f.series.length]));
    assert.equal(requests, [], 'the file asked the network for nothing');
    assert.equal(errors, []);
    assert.is(await page.locator('table.figures tbody tr').count(), 3, 'gmf, its validation-selected model, mlp');
    await page.screenshot({ path: path.join(work.shots, 'report-page.png'), fullPage: true });
    await page.close();
  });

  test('neurec data stats --html: the data set at a glance, every chart drawn', async () => {
    const out = path.join(work.dir, 'synthetic-stats.html');
    neurec('data', 'stats', '--dataset', 'synthetic', '--html', '--out', out);
    const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    const { charts, requests, errors } = await open(page, out);
    assert.equal(charts.map(([id]) => id), ['per-user', 'per-item', 'ratings', 'genres', 'over-time', 'decades', 'ages']);
    assert.ok(charts.every(([, n, canvas]) => n === 1 && canvas));
    assert.equal([requests, errors], [[], []]);
    await page.screenshot({ path: path.join(work.shots, 'data-stats.png'), fullPage: true });
    await page.close();
  });

  test.run();
}
