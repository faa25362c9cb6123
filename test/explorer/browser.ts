import AxeBuilder from '@axe-core/playwright';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from '@logyard/testing';

/** A page whose every console error, uncaught error and request outside `origin` is collected. */
export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** What went wrong so far; every test ends by expecting it empty. */
  problems: string[];
}

export async function openPage(
  browser: Browser,
  origin: string,
  { viewport = { width: 1280, height: 800 }, colorScheme = 'light' as 'light' | 'dark' } = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({ viewport, colorScheme, baseURL: origin });
  const problems: string[] = [];
  // Refused rather than sent, so a stray request fails the test without reaching the network.
  await context.route(
    (url) => url.origin !== origin && url.protocol !== 'data:',
    (route) => {
      problems.push(`request outside the origin: ${route.request().url()}`);
      return route.abort();
    },
  );
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return { page, context, problems };
}

/** Axe's serious and critical violations, as `rule: target` lines (none expected). */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .flatMap((violation) => violation.nodes.map((node) => `${violation.id}: ${node.target.join(' ')}`));
}

/** The pages `watchPages` opens, one a test. */
export interface WatchedPages {
  /** The running test's page. */
  current(): WatchedPage;
  /** Checks and closes the running test's page, then opens one with other options in its place. */
  reopen(options?: Parameters<typeof openPage>[2]): Promise<WatchedPage>;
}

/**
 * The hooks every explorer suite shares: one Chromium for the suite and, for each test, a fresh page on
 * `origin()` that must end with no console error, page error or request outside the origin. A page is
 * closed before its problems are checked, so a failed check never leaves a page (or its live tail) open.
 */
export function watchPages(origin: () => string): WatchedPages {
  let browser: Browser | undefined;
  let watched: WatchedPage | undefined;
  const open = async (options?: Parameters<typeof openPage>[2]) => {
    if (!browser) throw new Error('Chromium did not start');
    watched = await openPage(browser, origin(), options);
    return watched;
  };
  const closeAndCheck = async () => {
    const closing = watched;
    watched = undefined;
    if (!closing) return;
    await closing.context.close();
    expect(closing.problems).toEqual([]);
  };

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  beforeEach(async () => {
    await open();
  });
  afterEach(closeAndCheck);

  return {
    current: () => {
      if (!watched) throw new Error('no page: watchPages hands one out inside a test only');
      return watched;
    },
    reopen: async (options) => {
      await closeAndCheck();
      return open(options);
    },
  };
}
