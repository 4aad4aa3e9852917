/**
 * The report page printed to PDF by the system Chromium (npm run report): the
 * app is started in this process on a free local port over the configured
 * database, Chromium is signed in with a session made for this one print
 * (stored like any other, ended when the print is done), waits until the
 * charts are drawn and turned into images, and prints A4 with the page's own
 * print CSS. Nothing about sign-in changes for ordinary requests.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionData } from 'express-session';
import type { Logger } from 'pino';
import { buildServices, createApp } from '../app';
import type { CurrentUser } from '../auth/current-user';
import { UsersRepo } from '../org/users-repo';
import type { Config } from '../platform/config';
import type { Db } from '../platform/db';
import type { Lang } from '../platform/i18n';
import { createLogger } from '../platform/logger';
import { sessionSecret } from '../platform/settings';
import { parsePeriod, periodKey } from './period';

/** A request the command line cannot print: the message says why, for the person who typed it. */
export class ReportPrintError extends Error {}
/** Nothing wrong with the request, but this machine cannot print (exit code 3). */
export class CannotPrintHereError extends ReportPrintError {}
export class NoChromiumError extends CannotPrintHereError {}
export class NoPlaywrightError extends CannotPrintHereError {}

/** npm run report's exit code for a print that failed: 3 when this machine cannot print, 2 for a wrong request. */
export function printExitCode(err: ReportPrintError): 2 | 3 {
  return err instanceof CannotPrintHereError ? 3 : 2;
}

type Chromium = (typeof import('playwright-core'))['chromium'];

const PLAYWRIGHT = 'playwright-core';

/**
 * playwright-core's Chromium driver, loaded only when a PDF is printed: it is
 * a development dependency, so a production install (npm ci --omit=dev) has
 * none and the app must start without it. Its absence is a NoPlaywrightError
 * saying what to install; any other failure to load it is thrown as it is.
 */
export async function loadChromium(specifier: string = PLAYWRIGHT): Promise<Chromium> {
  try {
    return ((await import(specifier)) as typeof import('playwright-core')).chromium;
  } catch (err) {
    // Checked by shape, not instanceof: the loader's error may come from another realm (as under jest).
    const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
    // Only the package itself missing, not one of its own dependencies.
    if ((code === 'MODULE_NOT_FOUND' || code === 'ERR_MODULE_NOT_FOUND') && typeof message === 'string' && message.includes(`'${specifier}'`)) {
      throw new NoPlaywrightError(
        `The package ${specifier} is not installed, so the PDF cannot be made here: it is a development dependency, left out of a production install (npm ci --omit=dev). Install it with npm install --no-save ${PLAYWRIGHT}, or run npm ci with the development dependencies. Without it, open /report in a browser and print it (A4).`,
      );
    }
    throw err;
  }
}

export interface PrintRequest {
  /** Unit code of the scope, e.g. DEMO. */
  scope: string;
  /** 2026Q3, 115Q3, 2026H1, 2026 … */
  period: string;
  /** Where the PDF goes. */
  out: string;
  lang?: Lang;
  /** E-mail of the user to print as (the report shows what that user may see); the first active administrator by default. */
  as?: string;
}

const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
/** Long enough for a year's report of a large scope on a busy machine. */
const PRINT_TIMEOUT_MS = 120_000;

/** The system Chromium: CHROMIUM_PATH, else /usr/bin/chromium, if it can be executed. */
export function chromiumExecutable(env: NodeJS.ProcessEnv = process.env): { path: string; found: boolean } {
  const path = env.CHROMIUM_PATH || '/usr/bin/chromium';
  try {
    fs.accessSync(path, fs.constants.X_OK);
    return { path, found: true };
  } catch {
    return { path, found: false };
  }
}

/** express-session's signed cookie value ("s:" + id + "." + HMAC-SHA256, as cookie-signature makes it). */
function signedSessionCookie(sid: string, secret: string): string {
  const mac = crypto.createHmac('sha256', secret).update(sid).digest('base64').replace(/=+$/, '');
  return `s:${sid}.${mac}`;
}

export async function printReport(deps: { db: Db; config: Config; logger?: Logger; env?: NodeJS.ProcessEnv; loadChromium?: () => Promise<Chromium> }, request: PrintRequest): Promise<{ bytes: number; url: string }> {
  const browserPath = chromiumExecutable(deps.env);
  if (!browserPath.found) {
    throw new NoChromiumError(
      `No Chromium at ${browserPath.path}: the PDF cannot be made here. Install Chromium (e.g. apt-get install chromium) or set CHROMIUM_PATH to a Chromium or Chrome executable. Without it, open /report in a browser and print it (A4).`,
    );
  }
  const chromium = await (deps.loadChromium ?? loadChromium)();
  const period = parsePeriod(request.period);
  if (!period || period.kind === 'month') throw new ReportPrintError(`"${request.period}" is not a report period: give a quarter, half-year or year, e.g. 2026Q3, 115Q3, 2026H1 or 2026.`);

  const { db, config } = deps;
  const logger = deps.logger ?? createLogger('silent');
  const secret = await sessionSecret(db, config.sessionSecret, new Date());
  const appDeps = { db, config: { ...config, logRequests: false }, logger, sessionSecret: secret };
  const services = buildServices(appDeps);

  const users = new UsersRepo(db);
  const account = request.as ? await users.findByEmail(request.as) : (await users.listInReach('/')).find((u) => u.role === 'admin' && u.active);
  if (!account || !account.active) throw new ReportPrintError(request.as ? `No active user ${request.as}.` : 'No active administrator: create one first (npm run admin -- create …), or name a user with --as.');
  const user: CurrentUser | undefined = await services.auth.currentUser(account.id);
  if (!user) throw new ReportPrintError(`${account.email} cannot sign in.`);
  const scope = await services.reports.scopeByCode(user, request.scope);
  if (!scope) throw new ReportPrintError(`No unit ${request.scope} within the reach of ${account.email}.`);

  const server = await new Promise<Server>((resolve) => {
    const s = createApp(appDeps, services).listen(0, '127.0.0.1', () => resolve(s));
  });
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const url = `${base}/report?${new URLSearchParams({ scope: String(scope.id), period: periodKey(period) }).toString()}`;
  // A session for this print only, as sign-in would store it; it is ended in `finally`.
  const sid = crypto.randomBytes(24).toString('base64url');
  const session = { cookie: { originalMaxAge: PRINT_TIMEOUT_MS, expires: new Date(Date.now() + PRINT_TIMEOUT_MS), httpOnly: true, path: '/' }, userId: user.id, lang: request.lang ?? user.locale } as unknown as SessionData;
  await new Promise<void>((resolve, reject) => services.sessions.set(sid, session, (err) => (err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve())));
  const browser = await chromium.launch({ executablePath: browserPath.path, headless: true, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ locale: request.lang === 'en' ? 'en' : 'zh-TW', viewport: { width: 1100, height: 1500 }, deviceScaleFactor: 2 });
    context.setDefaultTimeout(PRINT_TIMEOUT_MS);
    // The report needs nothing from outside this machine.
    await context.route('**/*', (route) => (route.request().url().startsWith(base) || route.request().url().startsWith('data:') ? route.continue() : route.abort('blockedbyclient')));
    await context.addCookies([{ name: 'sid', value: signedSessionCookie(sid, secret), url: base, httpOnly: true, sameSite: 'Lax' }]);
    const page = await context.newPage();
    const response = await page.goto(url, { waitUntil: 'load' });
    if (!response || response.status() !== 200) throw new ReportPrintError(`The report page answered ${response?.status() ?? 'nothing'} for ${request.scope} ${request.period}.`);
    await page.waitForSelector('html[data-report-ready]', { state: 'attached' });
    await page.emulateMedia({ media: 'print' });
    // Page numbers in the bottom margin (Chromium draws this template itself, outside the page and its CSP).
    const footerTemplate = '<div style="width:100%;font-size:8pt;text-align:center;color:#444"><span class="pageNumber"></span> / <span class="totalPages"></span></div>';
    const pdf = await page.pdf({ path: request.out, format: 'A4', printBackground: true, preferCSSPageSize: true, displayHeaderFooter: true, headerTemplate: '<span></span>', footerTemplate });
    return { bytes: pdf.length, url: url.slice(base.length) };
  } finally {
    await browser.close();
    await new Promise<void>((resolve) => services.sessions.destroy(sid, () => resolve()));
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}
