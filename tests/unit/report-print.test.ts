import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CannotPrintHereError, loadChromium, NoChromiumError, NoPlaywrightError, printExitCode, ReportPrintError } from '../../server/reports/print';

/**
 * npm run report on a production install: playwright-core is a development
 * dependency, loaded only when a PDF is printed; without it the command says
 * what to install and exits with 3 (this machine cannot print), like a
 * missing Chromium, while a wrong request exits with 2.
 */
describe('loading the PDF printer', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'report-print-'));
  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('loads playwright-core\'s Chromium when it is installed', async () => {
    const chromium = await loadChromium();
    expect(typeof chromium.launch).toBe('function');
  });

  it('turns a missing package into the message and exit code 3', async () => {
    const missing = path.join(tmp, 'no-playwright-here');
    const err: unknown = await loadChromium(missing).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(NoPlaywrightError);
    expect(err).toBeInstanceOf(CannotPrintHereError);
    expect((err as Error).message).toContain(`The package ${missing} is not installed, so the PDF cannot be made here`);
    expect((err as Error).message).toContain('npm install --no-save playwright-core');
    expect(printExitCode(err as NoPlaywrightError)).toBe(3);
  });

  it('does not take a package that fails for another reason for a missing one', async () => {
    // Installed, but one of its own dependencies is missing: that error is thrown as it is.
    const broken = path.join(tmp, 'broken.js');
    fs.writeFileSync(broken, "require('a-dependency-that-is-not-there');\n");
    const err: unknown = await loadChromium(broken).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(ReportPrintError);
    expect((err as Error).message).toContain('a-dependency-that-is-not-there');
  });

  it('exits with 3 when this machine cannot print, 2 for a wrong request', () => {
    expect(printExitCode(new NoChromiumError('no Chromium'))).toBe(3);
    expect(printExitCode(new ReportPrintError('"2026-07" is not a report period'))).toBe(2);
  });
});
