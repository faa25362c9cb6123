import { chromium } from 'playwright-core';
import { percentile, progress } from './environment';

/** Debian's Chromium, as the explorer's tests use (test/explorer/browser.ts); nothing downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = 20;
const WARMUPS = 2;

export interface DeepLinkLatency {
  name: string;
  path: string;
  p50: number;
  p95: number;
}

/**
 * Issue 14's budget: a deep link shows its first rows in < 1 s over 10 M
 * rows, from navigation to rows drawn. Each run opens the link in a fresh
 * browser context (no cache, no service state in the page) and reads
 * `performance.now()` once the first result row is in the DOM: the time
 * since the navigation started, as the page itself measures it.
 */
export async function measureDeepLinks(
  origin: string,
  links: [string, string][],
): Promise<DeepLinkLatency[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const results: DeepLinkLatency[] = [];
    for (const [name, path] of links) {
      const samples: number[] = [];
      for (let run = 0; run < WARMUPS + RUNS; run++) {
        const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, baseURL: origin });
        try {
          const page = await context.newPage();
          await page.goto(path, { waitUntil: 'commit' });
          await page.waitForSelector('button.row', { timeout: 30_000 });
          const drawnMs = (await page.evaluate('performance.now()')) as number;
          if (run >= WARMUPS) samples.push(drawnMs);
        } finally {
          await context.close();
        }
      }
      const round = (ms: number) => Math.round(ms);
      progress(`deep link "${name}": p50 ${round(percentile(samples, 50))} ms`);
      results.push({ name, path, p50: round(percentile(samples, 50)), p95: round(percentile(samples, 95)) });
    }
    return results;
  } finally {
    await browser.close();
  }
}
