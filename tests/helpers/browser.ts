import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT_DIR } from '../../hub/src/paths.js';

/** The system Chromium (Debian package), never a downloaded one. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium is missing at ${CHROMIUM}: apt-get install -y chromium (the CI script does it).`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

export const SCREEN = { kitchen: { width: 1920, height: 1080 }, phone: { width: 390, height: 844 } };

/** A staff screen logged in through the real login page, as a person would. */
export async function staffPage(
  browser: Browser,
  baseUrl: string,
  email: string,
  options: {
    viewport?: { width: number; height: number };
    path?: string;
    timezoneId?: string;
    /** Runs on the new context before the page opens (routes, e.g. `routeWebSocket`). */
    prepare?: (context: BrowserContext) => Promise<void>;
  } = {},
): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({
    viewport: options.viewport ?? SCREEN.kitchen,
    locale: 'fr-FR',
    ...(options.timezoneId ? { timezoneId: options.timezoneId } : {}),
  });
  await options.prepare?.(context);
  // The suite runs browsers beside hub processes on two cores: give pages time, not flakes.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login${options.path ? `?next=${encodeURIComponent(options.path)}` : ''}`);
  await page.fill('input[name=email]', email);
  await page.fill('input[name=password]', 'pizza-demo-2026');
  await page.click('button[type=submit]');
  if (options.path) await page.waitForURL(`${baseUrl}${options.path}`);
  return { context, page };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = path.join(ROOT_DIR, 'docs', 'screenshots');
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}
