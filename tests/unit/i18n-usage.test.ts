/**
 * The message keys that templates and server code use must exist in the
 * catalog. The compiler checks keys typed as MessageKey; this test covers what
 * it cannot see: templates, zod messages (plain strings) and keys built from
 * template literals.
 */
import fs from 'node:fs';
import path from 'node:path';
import { ROLES } from '../../server/auth/current-user';
import { UNIT_CSV_COLUMNS } from '../../server/org/unit-import';
import { UNIT_TYPES } from '../../server/org/units-repo';
import { catalogs } from '../../server/platform/i18n';
import { SMS_PURPOSES, SMS_REASONS, SMS_STATUSES } from '../../server/telephony/sms-status';

const root = path.resolve(__dirname, '../..');
const catalog = catalogs['zh-TW'];
const known = new Set(Object.keys(catalog));

function filesUnder(dir: string, ext: string): string[] {
  return fs.readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith(ext))
    .map((f) => path.join(dir, f).split(path.sep).join('/'))
    .sort();
}
const read = (file: string) => fs.readFileSync(path.join(root, file), 'utf8');
const views = filesUnder('views', '.ejs');
const serverFiles = filesUnder('server', '.ts').filter((f) => !f.startsWith('server/platform/i18n/'));

/** Every capture of group 1 of `pattern` in `text`. */
const captures = (text: string, pattern: RegExp) => [...text.matchAll(pattern)].map((m) => m[1] ?? '');
const quoted = (text: string) => captures(text, /'([^'\n]*)'/g);
const keyShaped = (s: string) => /^[a-z][a-zA-Z]*(\.[a-zA-Z0-9_-]+)+$/.test(s);
const namespaces = new Set([...known].map((k) => k.split('.')[0]));

/** Literal keys used in a template: t('…') calls and any quoted key of a catalog namespace (ternaries, include arguments). */
function keysInView(text: string): string[] {
  const calls = captures(text, /\bt\(\s*'([^']+)'/g);
  const others = quoted(text).filter((s) => keyShaped(s) && namespaces.has(s.split('.')[0]));
  return [...calls, ...others];
}

/** Literal keys in server code: t('…'), setFlash(req, …), key:/message:/error: '…', 'validation.…', new …Error('…'). */
function keysInServer(text: string): string[] {
  return [
    ...captures(text, /\bt\(\s*'([^']+)'/g),
    ...captures(text, /\bsetFlash\(\s*req\s*,([^;]*)\)/g).flatMap(quoted),
    ...captures(text, /\b(?:key|message|messageKey|error)\s*:\s*'([^']+)'/g),
    ...captures(text, /'(validation\.[^']*)'/g),
    ...captures(text, /\bnew \w*Error\(\s*(?:[^,()']+,\s*)?'([^']+)'/g),
  ].filter(keyShaped); // plain sentences (internal errors) and setting names are not message keys
}

/** Keys built as t(`prefix.${x}`) in templates, with every value x can take. */
const templateKeys: Record<string, readonly (string | number)[]> = {
  'role.${}': ROLES,
  'unitType.${}': UNIT_TYPES,
  'import.action.${}': ['create', 'update', 'unchanged'],
  'import.col.${}': UNIT_CSV_COLUMNS.map((c) => c.name),
  'part.${}': ['switchboard', 'unit'],
  'exports.dataset.${}': ['responses', 'aggregates', 'results', 'scores', 'allocation'],
  'exports.format.${}': ['csv', 'ods', 'json'],
  'plan.status.${}': ['draft', 'published'],
  'plan.event.${}': ['draft', 'edit', 'add', 'remove', 'publish'],
  'band.${}': ['excellent', 'good', 'fair', 'poor'],
  'case.status.${}': ['open', 'submitted', 'returned', 'accepted', 'closed'],
  'case.event.${}': ['opened', 'submitted', 'returned', 'accepted', 'retested'],
  'case.${}': ['cause', 'actions'],
  'my.state.${}': ['overdue', 'today', 'upcoming'],
  'attempt.${}': ['no_answer', 'busy', 'voicemail'],
  'question.${}': ['question', 'keyPoints'],
  'channel.mode.${}': ['personal', 'kiosk', 'staff', 'phone', 'invitation'],
  'petition.status.${}': ['pending', 'answered', 'expired'],
  'petition.smsStatus.${}': ['pending', 'sending', 'queued', 'sent', 'delivered', 'undelivered', 'failed', 'skipped'],
  'petition.phoneKind.${}': ['mobile', 'landline', 'none'],
  'invite.${}.title': ['answered', 'expired', 'unknown', 'locked', 'csrf'],
  'invite.${}.body': ['answered', 'expired', 'unknown', 'locked', 'csrf'],
  'flagged.reason.${}': ['honeypot', 'burst'],
  'dashboard.verdict.${}': ['up', 'down', 'none'],
  'dashboard.vsRest.${}': ['up', 'down', 'none'],
  'dashboard.weighting.${}': ['unreachable', 'empty'],
  'tokens.state.${}': ['active', 'expired', 'revoked'],
  'sms.status.${}': SMS_STATUSES,
  'sms.purpose.${}': SMS_PURPOSES,
  'sms.reason.${}': SMS_REASONS,
  'report.design.${}': ['citizen', 'staff', 'case'],
  'report.section.${}': ['methods', 'results', 'health', 'phone', 'cases', 'actions', 'how'],
  'report.outcome.${}': ['improved', 'notImproved', 'pending'],
  'report.how.${}': ['share', 'mean', 'margin', 'rate', 'alpha', 'compare', 'trend', 'units', 'weighting', 'staff', 'health', 'phone', 'matrix', 'deductions', 'cases'],
  'calibration.status.${}': ['open', 'complete', 'closed'],
  'calibration.iccReading.${}': ['poor', 'moderate', 'good', 'excellent'],
  'calibration.alphaReading.${}': ['unreliable', 'tentative', 'reliable'],
  'calibration.tendency.${}': ['stricter', 'lenient'],
  // views/errors/error.ejs falls back to 500 for any status it does not list.
  'error.${}.title': [400, 403, 404, 409, 413, 422, 429, 500],
};

describe('message keys used in templates and server code', () => {
  it('finds what it is looking for (the scan itself works)', () => {
    expect(keysInView(read('views/auth/login.ejs'))).toContain('login.submit');
    expect(keysInView("<%= t(u.active ? 'action.deactivate' : 'action.activate') %>")).toEqual(['action.deactivate', 'action.activate']);
    expect(keysInServer("setFlash(req, ok ? 'user.deactivated' : result.key);")).toEqual(['user.deactivated']);
    expect(keysInServer(".min(1, 'validation.required')")).toEqual(['validation.required']);
    expect(keysInServer("throw new NotFoundError('setup.linkInvalid')")).toEqual(['setup.linkInvalid']);
    expect(keysInServer("new TooManyRequestsError(seconds, 'login.tooMany')")).toEqual(['login.tooMany']);
    expect(keysInServer("errors.push({ field: 'code', key: 'unit.error.codeTaken' })")).toEqual(['unit.error.codeTaken']);
  });

  it.each(views)('%s uses only keys of the catalog', (file) => {
    const missing = keysInView(read(file)).filter((k) => !known.has(k));
    expect(missing).toEqual([]);
  });

  it('server code uses only keys of the catalog', () => {
    const used = serverFiles.flatMap((file) => keysInServer(read(file)).map((key) => ({ file, key })));
    expect(used.length).toBeGreaterThan(40);
    expect(used.filter(({ key }) => !known.has(key))).toEqual([]);
  });

  it('knows every value of the keys templates build from variables, and each has a message', () => {
    const built = views.flatMap((file) =>
      captures(read(file), /\bt\(\s*`([^`]+)`/g).map((template) => ({ file, pattern: template.replace(/\$\{[^}]*\}/g, '${}') })),
    );
    expect(built.filter(({ pattern }) => !(pattern in templateKeys))).toEqual([]);
    const missing = Object.entries(templateKeys).flatMap(([pattern, values]) =>
      values.map((v) => pattern.replace('${}', String(v))).filter((key) => !known.has(key)),
    );
    expect(missing).toEqual([]);
  });

  it('describes on the import page exactly the columns the import reads', () => {
    const listed = /for \(const c of \[([^\]]*)\]\)/.exec(read('views/org/unit-import.ejs'))?.[1] ?? '';
    expect(quoted(listed)).toEqual(UNIT_CSV_COLUMNS.map((c) => c.name));
  });
});

describe('page titles and views', () => {
  it('each title.<folder>.<file> key names a view that exists', () => {
    const titleViews = [...known].filter((k) => k.startsWith('title.')).map((k) => `views/${k.slice(6).replace('.', '/')}.ejs`);
    expect(titleViews.filter((f) => !views.includes(f))).toEqual([]);
  });

  // Whether a page without a title key is given a title cannot be read from the
  // source reliably (helpers build the locals); the integration tests render pages.
  it('each view that server code renders as a page exists', () => {
    const rendered = serverFiles.flatMap((file) => captures(read(file), /\brender(?:Page|FormErrors)\(\s*res\s*,\s*'([^']+)'/g));
    expect(rendered).toContain('auth/login');
    expect(rendered.filter((view) => !views.includes(`views/${view}.ejs`))).toEqual([]);
  });
});
