import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createTestSpecter, type TestSpecter, type TestSpecterOptions } from '../../src/testing/index.js';

/** Debian's Chromium; CI installs it (`.ci/run`). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags from library-choices.md §5: no sandbox as root, no background network on a closed machine. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** In CI a missing browser is a failure, not a skip. */
export function chromiumAvailable(): boolean {
  return Boolean(process.env.CI) || fs.existsSync(CHROMIUM);
}

/** The `skip` option of a browser test: false, or why it cannot run here. */
export function skipWithoutChromium(): false | string {
  return chromiumAvailable() ? false : 'Debian chromium is not installed (.ci/run installs it)';
}

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<BrowserSession> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pw-profile-'));
  const context = await chromium.launchPersistentContext(dir, { executablePath: CHROMIUM, headless: true, args: ARGS });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    async close() {
      await context.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface BrowserApp {
  t: TestSpecter;
  browser: BrowserSession;
  /** `http://127.0.0.1:<port>` of the listening app. */
  base: string;
  /** Closes the browser, then the app. */
  close(): Promise<void>;
}

/**
 * Boots the app (`createTestSpecter(options)`), runs `prepare` on it (set a password, activate an
 * extension, …), listens on 127.0.0.1 on a free port and opens a browser.
 */
export async function startBrowserApp(options: TestSpecterOptions = {}, prepare?: (t: TestSpecter) => Promise<void>): Promise<BrowserApp> {
  const t = await createTestSpecter(options);
  let browser: BrowserSession;
  try {
    await prepare?.(t);
    await t.app.listen({ host: '127.0.0.1', port: 0 });
    browser = await openBrowser();
  } catch (err) {
    await t.close();
    throw err;
  }
  return {
    t,
    browser,
    base: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`,
    async close() {
      await browser.close();
      await t.close();
    },
  };
}

/** Saves a screenshot under test-results/ when SCREENSHOTS=1 (for looking at the UI by hand). */
export async function maybeScreenshot(page: Page, name: string): Promise<void> {
  if (process.env.SCREENSHOTS !== '1') return;
  fs.mkdirSync('test-results', { recursive: true });
  await page.screenshot({ path: path.join('test-results', `${name}.png`), fullPage: true });
}
