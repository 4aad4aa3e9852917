import express from 'express';
import fc from 'fast-check';
import request from 'supertest';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { formBody, parseUrlEncoded, type FormFields } from '../../server/platform/form-body';

/**
 * The citizen pages' lean form reader: what a browser sends is read exactly as
 * express.urlencoded({ extended: false }) reads it (checked against it on
 * generated forms), odd input as listed, and refusals with body-parser's statuses.
 */
const LIMITS = { limit: 1000, parameterLimit: 20 };

/** An app that answers with what a body reader made of the request, or with the error it raised. */
function echo(reader: express.RequestHandler): express.Express {
  const app = express();
  app.post('/', reader, (req, res) => {
    res.json({ body: req.body as unknown });
  });
  app.use(((err: { status: number; type: string }, _req, res, _next) => {
    res.status(err.status).json({ error: err.type });
  }) as express.ErrorRequestHandler);
  return app;
}
const lean = echo(formBody(LIMITS));
const bodyParser = echo(express.urlencoded({ extended: false, ...LIMITS }));

const post = (app: express.Express, body: string | Buffer, headers: Record<string, string> = {}) =>
  request(app).post('/').set({ 'content-type': 'application/x-www-form-urlencoded', ...headers }).send(body);

/** Names as the public forms use them, and anything else a browser might send, brackets aside (express's reader treats a leading "[" as nesting). */
const nameArb = fc.oneof(fc.constantFrom('q_overall', 'q_comment', '_csrf', 'k', 'lang', 'q_env.clean', 'toString', 'constructor'), fc.string({ minLength: 1, maxLength: 8, unit: 'grapheme' }))
  .filter((n) => n !== '__proto__' && !n.startsWith('['));
const valueArb = fc.oneof(fc.constantFrom('5', 'na', '', '櫃檯 很親切', 'a+b=c&d%e'), fc.string({ maxLength: 12, unit: 'grapheme' }));

test('a form as a browser encodes it is read exactly as express.urlencoded reads it, names repeated becoming lists', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(nameArb, valueArb), { maxLength: 8 }), async (pairs) => {
      const body = new URLSearchParams(pairs).toString();
      const expected: FormFields = {};
      for (const [name, value] of pairs) {
        const had = Object.hasOwn(expected, name) ? expected[name] : undefined;
        expected[name] = had === undefined ? value : Array.isArray(had) ? [...had, value] : [had, value];
      }
      expect(parseUrlEncoded(body)).toEqual(expected);
      const [ours, theirs] = await Promise.all([post(lean, body), post(bodyParser, body)]);
      expect(ours.body).toEqual(theirs.body);
    }),
    { numRuns: 150 },
  );
});

test('odd input: empty parts and names dropped, no "=" an empty value, broken escapes kept, __proto__ ignored', () => {
  const fields = parseUrlEncoded('a=1&&b=x+y&a=2&=z&__proto__=p&c&d=%ZZ&e=%E4%B8%AD&f=100%&constructor=k');
  expect(fields).toEqual({ a: ['1', '2'], b: 'x y', c: '', d: '%ZZ', e: '中', f: '100%', constructor: 'k' });
  expect(Object.getPrototypeOf(fields)).toBe(Object.prototype);
  expect(parseUrlEncoded('')).toEqual({});
});

test('the same odd input through both readers gives the same fields', async () => {
  const body = 'a=1&&b=x+y&a=2&=z&__proto__=p&c&d=%ZZ&e=%E4%B8%AD&f=100%&constructor=k';
  expect((await post(lean, body)).body).toEqual((await post(bodyParser, body)).body);
});

test('no body, another type, or an empty body: left alone, or an empty form', async () => {
  expect((await request(lean).post('/')).body).toEqual({});
  expect((await request(lean).post('/').set('content-type', 'application/json').send('{"a":1}')).body).toEqual({});
  expect((await post(lean, '')).body).toEqual({ body: {} });
  expect((await post(lean, 'a=1', { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=UTF-8' })).body).toEqual({ body: { a: '1' } });
});

test('refusals have body-parser statuses and types', async () => {
  const refusals = [
    [post(lean, 'a=1', { 'content-type': 'application/x-www-form-urlencoded; charset=latin1' }), 415, 'charset.unsupported'],
    [post(lean, zlib.gzipSync('a=1'), { 'content-encoding': 'gzip' }), 415, 'encoding.unsupported'],
    [post(lean, `a=${'x'.repeat(1000)}`), 413, 'entity.too.large'],
    [post(lean, Array.from({ length: 21 }, (_, i) => `f${i}=`).join('&')), 413, 'parameters.too.many'],
  ] as const;
  for (const [response, status, type] of refusals) {
    const res = await response;
    expect([res.status, res.body]).toEqual([status, { error: type }]);
  }
  // Twenty fields is still a form.
  expect((await post(lean, Array.from({ length: 20 }, (_, i) => `f${i}=`).join('&'))).status).toBe(200);
});

test('a body larger than the limit without a declared length is refused as it arrives', async () => {
  const server = lean.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  try {
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ port, host: '127.0.0.1', method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' } }, (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (c: string) => (body += c)).on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      // Sent in pieces with no Content-Length (chunked), past the 1,000-byte limit.
      for (let i = 0; i < 10; i += 1) req.write(`a=${'x'.repeat(300)}&`);
      req.end();
    });
    expect(answer).toEqual({ status: 413, body: '{"error":"entity.too.large"}' });
  } finally {
    server.close();
  }
});
