/**
 * Browser test helpers: Debian's chromium driven by playwright-core, one context per player,
 * console errors and page errors collected (a test fails on any), DOM-condition waits only.
 */
import fs from 'fs';
import path from 'path';
import type { Browser, BrowserContext, ConsoleMessage, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.resolve(__dirname, '../../test-artifacts/web');
export const DOC_SCREENSHOTS = path.resolve(__dirname, '../../docs/screenshots');

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** Launches chromium, or marks the suite pending with a loud warning when it is not installed. */
export async function launchOrSkip(context: Mocha.Context): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    console.warn(`\n  ⚠ SKIPPED "${context.test?.parent?.fullTitle()}": ${CHROMIUM} is missing (apt-get install chromium), so the browser tests did NOT run.\n`);
    context.skip();
  }
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-quic', '--no-first-run', '--disable-component-update', '--disable-sync'],
  });
}

/** One person at the table: their browser context and page, and every problem the page reported. */
export class Player {
  readonly problems: string[] = [];

  private constructor(
    readonly name: string,
    readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('console', (message: ConsoleMessage) => {
      if (message.type() === 'error') this.problems.push(`console.error: ${message.text()} (${message.location().url})`);
    });
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => {
      // Aborted page loads (reloads) are not failures of the client.
      if (!/ERR_ABORTED/.test(request.failure()?.errorText ?? '')) this.problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`);
    });
  }

  static async open(browser: Browser, name: string, options: { viewport?: { width: number; height: number }; scale?: number; mobile?: boolean } = {}): Promise<Player> {
    const context = await browser.newContext({
      viewport: options.viewport ?? DESKTOP,
      deviceScaleFactor: options.scale ?? 1,
      isMobile: options.mobile ?? false,
      hasTouch: options.mobile ?? false,
    });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return new Player(name, context, page);
  }

  /** Opens `url` and signs in with this player's name (the sign-in form comes first). */
  async signIn(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.fill('[data-testid=signin-name]', this.name);
    await this.page.click('[data-testid=signin-submit]');
    await this.page.waitForSelector(`[data-testid=whoami] >> text=${this.name}`);
  }

  async screenshot(name: string, options: { docs?: boolean; fullPage?: boolean } = {}): Promise<void> {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${name}.png`);
    // Pictures for people: from the top of the page, without transient notices.
    await this.page.evaluate(() => {
      window.scrollTo(0, 0);
      document.querySelectorAll('.notice').forEach((notice) => notice.remove());
    });
    await this.page.screenshot({ path: file, fullPage: options.fullPage ?? false, animations: 'disabled', caret: 'hide' });
    // `UPDATE_SCREENSHOTS=1` refreshes the README's pictures from this run.
    if (options.docs && process.env.UPDATE_SCREENSHOTS) {
      fs.mkdirSync(DOC_SCREENSHOTS, { recursive: true });
      fs.copyFileSync(file, path.join(DOC_SCREENSHOTS, `${name}.png`));
    }
  }

  /** Throws if the page logged a console error, threw, or a request failed. */
  assertClean(): void {
    if (this.problems.length) throw new Error(`${this.name}'s page reported problems:\n  ${this.problems.join('\n  ')}`);
  }

  /** Waits until `expression` (run in the page with `arg`) is truthy; polls every animation frame. */
  async until<A>(expression: (arg: A) => unknown, arg: A, label: string, timeout = 10_000): Promise<void> {
    try {
      await this.page.waitForFunction(expression as any, arg, { polling: 'raf', timeout });
    } catch (error) {
      throw new Error(`${this.name}: timed out waiting for ${label}: ${(error as Error).message.split('\n')[0]}`);
    }
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}

/** Number of cards in a hand container whose value is shown. */
export function knownCards(page: Page, selector: string): Promise<number> {
  return page.locator(`${selector} [data-testid=card][data-known=yes]`).count();
}
