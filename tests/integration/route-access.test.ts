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
};

let t: TestApp;
let clients: Record<Role, Client>;
let anonymous: Client;
let unitId: number;
let userId: number;

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
});

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
  const path = pattern.replace(':id', String(pattern.startsWith('/users') ? userId : unitId));
  const c = who === 'anonymous' ? anonymous : clients[who];
  const res = method === 'get' ? await c.agent.get(path) : await c.post(path);
  expect(res.status).toBe(status);
  if (status === 403) expect(res.text).toContain('沒有權限');
  if (status === 303 && who === 'anonymous' && method === 'get') expect(res.headers.location).toMatch(/^\/login\?next=/);
});
