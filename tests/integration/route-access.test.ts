import { routeTable } from '../../server/app';
import { ROLES, type Role } from '../../server/auth/current-user';
import { client, createTestApp, seedUnit, seedUser, signedIn, type Client, type TestApp } from '../support/app';

/**
 * Walks every route of the route table with every role and with no session,
 * and checks the status against this table, written out by hand: a new route
 * fails the test until someone decides who may use it.
 */
type Who = Role | 'anonymous';
type Expected = Record<Who, number>;

const ANON_GET = 303; // to the login page
const ANON_POST = 403;

/** `roles` get `ok`; other roles 403; no session: redirect for GET, 403 for POST. */
function only(method: 'get' | 'post', roles: readonly Role[], ok: number): Expected {
  const e = { anonymous: method === 'get' ? ANON_GET : ANON_POST } as Expected;
  for (const r of ROLES) e[r] = roles.includes(r) ? ok : 403;
  return e;
}
const everyone = (status: number, anonymous = status): Expected => ({
  anonymous,
  admin: status,
  manager: status,
  tester: status,
  unit_head: status,
});

const UNITS_SEE = ['admin', 'manager', 'unit_head'] as const;
const UNITS_MANAGE = ['admin', 'manager'] as const;
const ADMIN = ['admin'] as const;
const PLANS = ['admin', 'manager'] as const;
const TESTER = ['tester'] as const;

// Paths with :id are filled in by `target` below; POST bodies are empty (a 422 proves the role got through).
const MATRIX: Record<string, Expected> = {
  'get /': only('get', ROLES, 200),
  'get /login': { ...everyone(303), anonymous: 200 },
  'post /login': everyone(422),
  'post /logout': only('post', ROLES, 303),
  'get /setup': everyone(404),
  'post /setup': everyone(404),
  'get /password/reset': everyone(404),
  'post /password/reset': everyone(404),
  'get /account/password': only('get', ROLES, 200),
  'post /account/password': only('post', ROLES, 422),
  'post /lang': everyone(303),
  'get /units': only('get', UNITS_SEE, 200),
  'get /units/new': only('get', UNITS_MANAGE, 200),
  'post /units': only('post', UNITS_MANAGE, 422),
  'get /units/import': only('get', UNITS_MANAGE, 200),
  'post /units/import': only('post', UNITS_MANAGE, 422),
  'post /units/import/confirm': only('post', UNITS_MANAGE, 422),
  'get /units/export.csv': only('get', UNITS_MANAGE, 200),
  'get /units/:id/edit': only('get', UNITS_MANAGE, 200),
  'post /units/:id': only('post', UNITS_MANAGE, 422),
  'post /units/:id/deactivate': only('post', UNITS_MANAGE, 303),
  'post /units/:id/activate': only('post', UNITS_MANAGE, 303),
  'get /users': only('get', ADMIN, 200),
  'get /users/new': only('get', ADMIN, 200),
  'post /users': only('post', ADMIN, 422),
  'get /users/:id/edit': only('get', ADMIN, 200),
  'post /users/:id': only('post', ADMIN, 422),
  'post /users/:id/deactivate': only('post', ADMIN, 303),
  'post /users/:id/activate': only('post', ADMIN, 303),
  'post /users/:id/reset-link': only('post', ADMIN, 200),
  'get /notifications': only('get', ROLES, 200),
  'post /notifications/read': only('post', ROLES, 303),
  'get /calendar': only('get', ADMIN, 200),
  'post /calendar/import': only('post', ADMIN, 422),
  'get /settings': only('get', ADMIN, 200),
  'post /settings': only('post', ADMIN, 422),
  'get /plans': only('get', PLANS, 200),
  'post /plans': only('post', PLANS, 422),
  'get /plans/:id': only('get', PLANS, 200),
  'get /plans/:id/assignments/:aid/edit': only('get', PLANS, 200),
  'post /plans/:id/assignments/:aid': only('post', PLANS, 303),
  // Removing and publishing change what the next role would see: they are walked on a plan that does not exist.
  'post /plans/:id/assignments/:aid/remove': only('post', PLANS, 404),
  'get /plans/:id/add': only('get', PLANS, 200),
  'post /plans/:id/add': only('post', PLANS, 422),
  'post /plans/:id/publish': only('post', PLANS, 404),
  'get /plans/:id/allocation': only('get', PLANS, 200),
  'get /plans/:id/allocation.csv': only('get', PLANS, 200),
  'get /my/assignments': only('get', TESTER, 200),
  // Assignments, results and cases are walked with ids that do not exist: who gets past the guard sees 404
  // (or 422 where the form is checked first); the pages themselves are tested in scoring.test.ts.
  'post /assignments/:id/attempts': only('post', TESTER, 422),
  'get /assignments/:id/score': only('get', TESTER, 404),
  'post /assignments/:id/score': only('post', TESTER, 404),
  'post /assignments/:id/score/edit': only('post', TESTER, 404),
  'post /assignments/:id/score/confirm': only('post', TESTER, 404),
  'get /results/overdue': only('get', PLANS, 200),
  'get /scores': only('get', PLANS, 200),
  'get /scores.csv': only('get', PLANS, 200),
  'get /results/:id': only('get', ROLES, 404),
  'get /results/:id/revise': only('get', ['admin', 'manager', 'tester'], 404),
  'post /results/:id/revise': only('post', ['admin', 'manager', 'tester'], 404),
  'post /results/:id/withdraw': only('post', PLANS, 404),
  'get /cases': only('get', UNITS_SEE, 200),
  'get /cases/:id': only('get', UNITS_SEE, 404),
  'post /cases/:id/report': only('post', ['unit_head'], 404),
  'post /cases/:id/decision': only('post', PLANS, 404),
  'get /units/:id/questions': only('get', UNITS_MANAGE, 200),
  'post /units/:id/questions': only('post', UNITS_MANAGE, 422),
  'post /units/:id/questions/:qid/deactivate': only('post', UNITS_MANAGE, 303),
  'get /channels': only('get', PLANS, 200),
  'post /channels': only('post', PLANS, 422),
  'get /channels/flagged': only('get', PLANS, 200),
  'get /headcounts': only('get', PLANS, 200),
  'post /headcounts': only('post', PLANS, 303),
  'get /dashboard': only('get', UNITS_SEE, 200),
  'get /report': only('get', UNITS_SEE, 200),
  // Without a scope and survey the margins pages send the user back to the dashboard.
  'get /dashboard/margins': only('get', PLANS, 303),
  'post /dashboard/margins': only('post', PLANS, 303),
  'get /exports': only('get', UNITS_SEE, 200),
  // Without a query the download re-renders the form with a message per field.
  'get /exports/download': only('get', UNITS_SEE, 422),
  'post /responses/:id/count': only('post', PLANS, 404),
  'post /responses/:id/uncount': only('post', PLANS, 404),
  'get /channels/:id/poster': only('get', PLANS, 404),
  'post /channels/:id/deactivate': only('post', PLANS, 404),
  'post /channels/:id/activate': only('post', PLANS, 404),
  'post /channels/:id/codes': only('post', PLANS, 404),
  // The citizen's pages are public; an unknown channel is 404 for everyone (surveys.test.ts covers real ones).
  'get /s/:code': everyone(404),
  'post /s/:code': everyone(404),
  'get /s/:code/thanks': everyone(404),
  // Telephony (walked in manual mode, with ids that do not exist; telephony.test.ts covers real calls).
  'post /assignments/:id/call': only('post', TESTER, 404),
  'get /calls/:id': only('get', TESTER, 404),
  'get /calls/:id/status.json': only('get', TESTER, 404),
  'post /settings/test-sms': only('post', ADMIN, 409),
  // Twilio's webhooks take no session: without a valid signature everyone is refused.
  'post /twilio/calls/:id/bridge': everyone(403),
  'post /twilio/calls/:id/tester-status': everyone(403),
  'post /twilio/calls/:id/unit-status': everyone(403),
  // Personal API tokens (api.test.ts covers making, listing and revoking them); a token that does not exist is 404.
  'get /account/tokens': only('get', UNITS_SEE, 200),
  'post /account/tokens': only('post', UNITS_SEE, 422),
  'post /account/tokens/:id/revoke': only('post', UNITS_SEE, 404),
  'get /settings/api': only('get', ADMIN, 200),
  // An empty form marks nothing public, which is the default.
  'post /settings/api': only('post', ADMIN, 303),
  // The open-data API takes no session: its document is public; with nothing marked public, every dataset needs a token.
  'get /api/openapi.json': everyone(200),
  'get /api/v1/surveys': everyone(401),
  'get /api/v1/surveys/:survey/results': everyone(401),
  'get /api/v1/units': everyone(401),
  'get /api/v1/periods': everyone(401),
  'get /api/v1/phone-tests': everyone(401),
  'post /twilio/sms/:id/status': everyone(403),
  // Petition cases and their invitations (petitions.test.ts covers real ones). A call on an id that is no invitation: 404.
  'get /petitions': only('get', PLANS, 200),
  'get /petitions/new': only('get', PLANS, 200),
  'post /petitions': only('post', PLANS, 422),
  'get /petitions/import': only('get', PLANS, 200),
  'post /petitions/import': only('post', PLANS, 422),
  'post /petitions/import/confirm': only('post', PLANS, 422),
  'post /petitions/:id/call': only('post', PLANS, 404),
  // The petitioner's pages are public: the PIN page for all (an empty form: 422); an unknown link is 404 for everyone.
  'get /i': everyone(200),
  'post /i': everyone(422),
  'get /i/thanks': everyone(200),
  'post /i/answer': everyone(404),
  'get /i/:token': everyone(404),
  'post /twilio/keypad/status': everyone(403),
  'post /twilio/keypad/invitations/:id/outgoing': everyone(403),
  'post /twilio/keypad/sessions/:id/language': everyone(403),
  'post /twilio/keypad/sessions/:id/answer': everyone(403),
  'post /twilio/keypad/:code/incoming': everyone(403),
  'get /sms': only('get', PLANS, 200),
  'post /twilio/calls/:id/recording': everyone(403),
  // No recording 1 exists: the players reach the handler (404), the others are stopped by the guard.
  'get /recordings/:id/audio': only('get', ['admin', 'manager', 'tester'], 404),
  'get /recordings': only('get', ['admin', 'manager'], 200),
  // Calibration rounds (walked with ids that do not exist; calibration.test.ts covers real rounds and the blind rule).
  'get /calibration': only('get', ['admin', 'manager', 'tester'], 200),
  'get /calibration/new': only('get', PLANS, 200),
  'post /calibration': only('post', PLANS, 422),
  'get /calibration/testers/:id': only('get', PLANS, 404),
  'get /calibration/:id': only('get', ['admin', 'manager', 'tester'], 404),
  'post /calibration/:id/close': only('post', PLANS, 404),
  'get /calibration/:id/calls/:callId': only('get', TESTER, 404),
  'post /calibration/:id/calls/:callId': only('post', TESTER, 404),
  'get /calibration/:id/calls/:callId/recording': only('get', ['admin', 'manager', 'tester'], 404),
  'get /my/unavailable': only('get', TESTER, 200),
  'post /my/unavailable': only('post', TESTER, 422),
  'post /my/unavailable/remove': only('post', TESTER, 303),
};

let t: TestApp;
let clients: Record<Role, Client>;
let anonymous: Client;
let unitId: number;
let userId: number;
let planId: number;
let assignmentId: number;

beforeAll(async () => {
  t = await createTestApp();
  const agency = await seedUnit(t, { parentId: null, code: 'A' });
  const section = await seedUnit(t, { parentId: agency.id, code: 'A1' });
  unitId = section.id;
  userId = (await seedUser(t, 'tester', section.id)).id;
  const emails = {
    admin: (await seedUser(t, 'admin', agency.id)).email,
    manager: (await seedUser(t, 'manager', agency.id)).email,
    tester: (await seedUser(t, 'tester', section.id)).email,
    unit_head: (await seedUser(t, 'unit_head', section.id)).email,
  };
  clients = {} as Record<Role, Client>;
  for (const role of ROLES) clients[role] = await signedIn(t.app, emails[role]);
  anonymous = await client(t.app);
  const { plan } = await t.services.plans.draft(null, agency.id, '2026-12');
  planId = plan.id;
  const first = await t.testDb.db('assignments').where({ plan_id: plan.id }).first();
  if (!first) throw new Error('the plan has no assignment to walk');
  assignmentId = first.id;
});

/** The concrete path for a route pattern. */
function target(route: string, pattern: string): string {
  const missing = route.endsWith('/remove') && route.includes('/plans/') ? 999999 : undefined;
  if (route === 'post /plans/:id/publish') return `/plans/999999/publish`;
  if (/^\/(assignments|results|cases|channels|responses|calls|twilio|calibration)\//.test(pattern)) return pattern.replace(':id', '999999').replace(':callId', '999999');
  if (pattern.startsWith('/s/')) return pattern.replace(':code', 'NOPE42');
  if (pattern.startsWith('/api/')) return pattern.replace(':survey', 'citizen');
  if (pattern.includes(':qid')) return pattern.replace(':id', String(unitId)).replace(':qid', '1');
  if (pattern.startsWith('/plans')) return pattern.replace(':id', String(planId)).replace(':aid', String(missing ?? assignmentId));
  return pattern.replace(':id', String(pattern.startsWith('/users') ? userId : unitId));
}

afterAll(() => t.close());

test('the matrix names every route of the app, and only those', () => {
  const routes = routeTable(t.services).map((r) => `${r.method} ${r.path}`);
  expect(new Set(routes).size).toBe(routes.length);
  expect([...routes].sort()).toEqual(Object.keys(MATRIX).sort());
});

const cases = Object.entries(MATRIX).flatMap(([route, expected]) =>
  (Object.keys(expected) as Who[]).map((who) => [route, who, expected[who]] as const),
);

// The logout route ends the session it is called with, so it runs last for each role.
const ordered = [...cases].sort((a, b) => Number(a[0] === 'post /logout') - Number(b[0] === 'post /logout'));

test.each(ordered)('%s as %s → %i', async (route, who, status) => {
  const [method, pattern] = route.split(' ') as ['get' | 'post', string];
  const path = target(route, pattern);
  const c = who === 'anonymous' ? anonymous : clients[who];
  const res = method === 'get' ? await c.agent.get(path) : await c.post(path);
  expect(res.status).toBe(status);
  if (status === 403) expect(res.text).toContain('沒有權限');
  if (status === 303 && who === 'anonymous' && method === 'get') expect(res.headers.location).toMatch(/^\/login\?next=/);
});
