import { chromium } from 'playwright-core';
import { Latency, measureLatency, progress } from './environment';

/** Debian's Chromium, as the explorer's tests use (test/explorer/browser.ts); nothing downloads a browser. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const RUNS = 20;
const WARMUPS = 2;

/**
 * Issue 14's budget: a deep link shows its first rows in < 1 s over 10 M
 * rows, from navigation to rows drawn. Each run opens the link in a fresh
 * browser context (no cache, no service state in the page) and reads
 * `performance.now()` once the first result row is in the DOM: the time
 * since the navigation started, as the page itself measures it.
 */
export async function measureDeepLinks(origin: string, links: [string, string][]): Promise<Latency[]> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const results: Latency[] = [];
    for (const [name, path] of links) {
      const latency = await measureLatency(
        name,
        path,
        { warmups: WARMUPS, runs: RUNS, round: Math.round },
        async () => {
          const context = await browser.newContext({
            viewport: { width: 1280, height: 800 },
            baseURL: origin,
          });
          try {
            const page = await context.newPage();
            await page.goto(path, { waitUntil: 'commit' });
            await page.waitForSelector('button.row', { timeout: 30_000 });
            return (await page.evaluate('performance.now()')) as number;
          } finally {
            await context.close();
          }
        },
      );
      progress(`deep link "${name}": p50 ${latency.p50} ms`);
      results.push(latency);
    }
    return results;
  } finally {
    await browser.close();
  }
}
