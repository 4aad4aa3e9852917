import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { startServer, type StartOptions } from '../../server/main';
import { loadConfig } from '../../server/platform/config';
import type { Db } from '../../server/platform/db';

/**
 * Real-browser helpers for tests/e2e: the system Chromium (never a downloaded one),
 * the real server on a free port with a fresh SQLite database, axe checks, and
 * small waits for form posts.
 */

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The Chromium to drive, or undefined when there is none we can execute. */
export function chromiumPath(): string | undefined {
  const candidate = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    fs.accessSync(candidate, fs.constants.X_OK);
    return candidate;
  } catch {
    return undefined;
  }
}

/**
 * `describe` for a suite that drives Chromium. Without a Chromium the suite
 * fails, saying how to get one: a browser suite that skipped would verify
 * nothing while the run looked green.
 */
export function describeBrowser(name: string, fn: () => void): void {
  if (!chromiumPath()) {
    const where = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
    throw new Error(`No Chromium at ${where}: the end-to-end suite "${name}" cannot run. Install chromium (Debian: apt-get install chromium) or set CHROMIUM_PATH.`);
  }
  describe(name, fn);
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error('no Chromium (describeBrowser should have failed this suite)');
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS });
}

const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A fresh context (own cookies) in Traditional Chinese, as a user in Taiwan would
 * have it. Requests to anything but this machine are aborted: no test reaches the internet.
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'zh-TW', ...options });
  // Well inside jest's 30 s, so a missing element fails with Playwright's own explanation.
  context.setDefaultTimeout(10_000);
  await context.route('**/*', (route) => {
    const url = new URL(route.request().url());
    return LOCAL_HOSTS.has(url.hostname) || url.protocol === 'data:' ? route.continue() : route.abort('blockedbyclient');
  });
  return context;
}

export interface RunningApp {
  url: string;
  /** The server's own database, for arranging what a test needs directly. */
  db: Db;
  /** The one-time first-run link, pointing at the real port. */
  setupUrl: string;
  stop(): Promise<void>;
}

/**
 * The real server (startServer) on a free port with an empty database in a
 * temporary folder; `env` adds settings (e.g. Twilio's), `options` start
 * options (e.g. the fake Twilio's HTTP client).
 */
export async function startApp(env: Record<string, string> = {}, options: Omit<StartOptions, 'announce'> = {}): Promise<RunningApp> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'courtesy-e2e-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    LOG_REQUESTS: 'false',
    DATA_DIR: dataDir,
    PORT: '0',
    HOST: '127.0.0.1',
    ...env,
  });
  const running = await startServer(config, { ...options, announce: () => undefined });
  if (!running.setupLink) {
    await running.stop();
    throw new Error('a new server printed no setup link');
  }
  // The link is built from PUBLIC_BASE_URL, which defaults to the configured port (0); keep path and query.
  const link = new URL(running.setupLink);
  return {
    url: running.url,
    db: running.db,
    setupUrl: new URL(`${link.pathname}${link.search}`, running.url).toString(),
    async stop() {
      await running.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** Runs axe (WCAG 2.1 A and AA) on the page as it is and fails with a readable list of violations. */
export async function expectAccessible(page: Page): Promise<void> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const found = results.violations.map((v) => {
    const targets = v.nodes.map((n) => `      ${n.target.map(String).join(' ')}\n        ${n.failureSummary?.replace(/\n/g, '\n        ') ?? ''}`);
    return `[${v.impact ?? 'unknown'}] ${v.id}: ${v.help} (${v.helpUrl})\n${targets.join('\n')}`;
  });
  if (found.length > 0) {
    throw new Error(`axe found ${found.length} accessibility violation(s) on ${page.url()}:\n\n${found.join('\n\n')}`);
  }
}

/** Console messages of a context's pages that report a Content-Security-Policy violation. */
export function watchCsp(context: BrowserContext): { violations: string[] } {
  const seen = { violations: [] as string[] };
  context.on('console', (msg) => {
    const text = msg.text();
    if (/Content[ -]Security[ -]Policy|Refused to (execute|load|apply|evaluate|connect|frame)/i.test(text)) {
      seen.violations.push(`${msg.page()?.url() ?? '?'}: ${text}`);
    }
  });
  return seen;
}

/**
 * Does `action` (a click or Enter that submits a form or follows a link) and waits for
 * the resulting page, after any redirect, to load. Returns that page's HTTP status.
 */
export async function navigation(page: Page, action: () => Promise<void>): Promise<number> {
  const finalResponse = page.waitForResponse((r) => {
    const status = r.status();
    return r.request().isNavigationRequest() && r.frame() === page.mainFrame() && (status < 300 || status >= 400);
  });
  const committed = page.waitForEvent('framenavigated', (frame) => frame === page.mainFrame());
  try {
    await action();
  } catch (err) {
    // The page never navigates; keep the waits from failing later as unhandled rejections.
    finalResponse.catch(() => undefined);
    committed.catch(() => undefined);
    throw err;
  }
  const [response] = await Promise.all([finalResponse, committed]);
  await page.waitForLoadState('load');
  return response.status();
}

/** Opens a path on the server and returns the HTTP status. */
export async function visit(page: Page, url: string): Promise<number> {
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) throw new Error(`no response for ${url}`);
  return response.status();
}

export async function text(page: Page, selector: string): Promise<string> {
  return ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ').trim();
}

/** What the first-run form is filled with in every suite. */
export const AGENCY = { code: 'A01', nameZh: '臺北市測試局', nameEn: 'Taipei Test Bureau' };
export const ADMIN = { name: '王小明', email: 'admin@example.gov.tw', password: 'correct horse battery staple' };

/** Fills the first-run setup form with AGENCY and ADMIN, and the given password confirmation. */
export async function fillSetupForm(page: Page, passwordConfirm: string): Promise<void> {
  await page.fill('#agencyCode', AGENCY.code);
  await page.fill('#agencyNameZh', AGENCY.nameZh);
  await page.fill('#agencyNameEn', AGENCY.nameEn);
  await page.fill('#name', ADMIN.name);
  await page.fill('#email', ADMIN.email);
  await page.fill('#password', ADMIN.password);
  await page.fill('#passwordConfirm', passwordConfirm);
}

/** Creates the agency and first administrator through the setup form; the page ends signed in on the home page. */
export async function completeSetup(page: Page, setupUrl: string): Promise<void> {
  await visit(page, setupUrl);
  await fillSetupForm(page, ADMIN.password);
  const status = await navigation(page, () => page.locator('main form button').click());
  if (status !== 200 || new URL(page.url()).pathname !== '/') throw new Error(`setup failed: ${status} at ${page.url()}`);
}

/** Signs in through the login form. */
export async function signIn(page: Page, baseUrl: string, email = ADMIN.email, password = ADMIN.password): Promise<void> {
  await visit(page, `${baseUrl}/login`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  const status = await navigation(page, () => page.locator('main form button').click());
  if (status !== 200 || new URL(page.url()).pathname !== '/') throw new Error(`sign-in failed for ${email}: ${status} at ${page.url()}`);
}

/**
 * The page's fragment once it is `expected` (decoded), or what it is after
 * two seconds: following an in-page link by keyboard updates the address a
 * moment after the key press, later still on a busy machine.
 */
export async function hashAfterLink(page: Page, expected: string): Promise<string> {
  const read = () => decodeURIComponent(new URL(page.url()).hash);
  await page.waitForFunction((e) => decodeURIComponent(window.location.hash) === e, expected, { timeout: 2000 }).catch(() => undefined);
  return read();
}

/** The element that has keyboard focus: tag, id and text, for assertions. */
export async function focused(page: Page): Promise<{ tag: string; id: string; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase() ?? '', id: el?.id ?? '', text: (el?.textContent ?? '').replace(/\s+/g, ' ').trim() };
  });
}

/** Page width against the viewport: a page that fits has scrollWidth <= clientWidth. */
export async function widths(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  return page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    clientWidth: document.documentElement.clientWidth,
  }));
}
