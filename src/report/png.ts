/**
 * A report file as PNG pictures: the whole page, or single charts by selector (bench/plots.ts
 * shoots each figure on its own), once the chart bundle says it has drawn everything.
 */
import { pathToFileURL } from 'url';
import { launchChromium } from './browser';

export interface Shot {
  /** A CSS selector, or null for the whole page. */
  selector: string | null;
  file: string;
}

export async function htmlToPng(htmlFile: string, shots: Shot[], width = 1100): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(pathToFileURL(htmlFile).href);
    try {
      await page.waitForSelector('body[data-rendered="true"]', { timeout: 20_000 });
    } catch {
      throw new Error(`${htmlFile}: the charts did not render${errors.length ? `: ${errors.join('; ')}` : ''}`);
    }
    if (errors.length) throw new Error(`${htmlFile}: a chart failed to draw: ${errors.join('; ')}`);
    for (const s of shots) {
      if (s.selector === null) await page.screenshot({ path: s.file, fullPage: true });
      else await page.locator(s.selector).screenshot({ path: s.file });
    }
  } finally {
    await browser.close();
  }
}
