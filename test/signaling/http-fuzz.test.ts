// The HTTP side under hostile requests over raw sockets: malformed percent-encodings, NUL bytes, traversal in
// many encodings, sibling-prefix paths, absolute-form targets, huge paths and headers, odd methods, garbage.
// The server must live, answer 4xx (or the SPA page for an app route), and serve nothing outside its root.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignalingServer } from '../../signaling-server/src/index';
import { startServer } from '../mesh/node-peers';
import { rawGet, rawRequest, type RawResponse } from './raw-http';
import { RawClient } from './raw-client';

const MARKERS = ['SIBLING-SECRET', 'PARENT-SECRET', 'DOTFILE-SECRET', 'root:x:0:0'];
const INDEX = '<!doctype html><title>app</title>INDEX-PAGE';
let base = '';
let server: SignalingServer;
let port = 0;

beforeAll(async () => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-http-'));
  const site = path.join(base, 'site');
  fs.mkdirSync(path.join(site, 'assets'), { recursive: true });
  fs.mkdirSync(path.join(site, 'docs'), { recursive: true });
  fs.mkdirSync(path.join(base, 'site-sibling'));
  fs.writeFileSync(path.join(site, 'index.html'), INDEX);
  fs.writeFileSync(path.join(site, 'docs', 'index.html'), 'DOCS-PAGE');
  fs.writeFileSync(path.join(site, 'assets', 'app-1a2b.js'), 'console.log("app")');
  fs.writeFileSync(path.join(site, '.env'), 'DOTFILE-SECRET');
  fs.writeFileSync(path.join(base, 'site-sibling', 'secret.txt'), 'SIBLING-SECRET');
  fs.writeFileSync(path.join(base, 'site-sibling', 'index.html'), 'SIBLING-SECRET');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'PARENT-SECRET');
  const s = await startServer({ staticDir: site });
  server = s.server;
  port = server.address().port;
});

afterAll(async () => {
  await server.close();
  fs.rmSync(base, { recursive: true, force: true });
});

/** Nothing outside the root, and either a refusal (4xx) or the SPA page itself. */
function expectContained(target: string, r: RawResponse): void {
  for (const m of MARKERS) expect(r.body, `${target} leaked ${m}`).not.toContain(m);
  expect(r.status, `${target} got no status line`).toBeGreaterThan(0);
  expect(r.status, `${target} → ${r.status}`).toBeLessThan(500);
  if (r.status < 400 && r.status !== 304 && r.status !== 301)
    expect(r.body, `${target} → ${r.status} served something`).toBe(INDEX);
}

async function alive(): Promise<void> {
  const r = await rawGet(port, '/healthz');
  expect(r.status).toBe(200);
}

const DOTS = [
  '..',
  '%2e%2e',
  '%2E%2E',
  '.%2e',
  '%2e.',
  '%252e%252e',
  '%c0%ae%c0%ae',
  '%uff0e%uff0e',
  '....',
  '..%00',
];
const SEPS = ['/', '%2f', '%2F', '%5c', '%5C', '\\', '%252f', '%c0%af', '%e0%80%af', ';/', '/./', '//'];
const TARGETS = ['secret.txt', 'site-sibling/secret.txt', 'site-sibling', 'etc/passwd'];

function traversals(): string[] {
  const out: string[] = [];
  for (const dot of DOTS)
    for (const sep of SEPS)
      for (const target of TARGETS) {
        const up = target === 'etc/passwd' ? `${dot}${sep}`.repeat(8) : `${dot}${sep}`;
        out.push(`/${up}${target.replaceAll('/', sep)}`, `/assets/${up}${up}${target}`);
      }
  // The sibling-prefix case from the issue: a prefix check alone would let these out of the root.
  out.push(
    '/..%2fsite-sibling/secret.txt',
    '/..%2fsite-sibling/',
    '/%2e%2e/site-sibling/secret.txt',
    '/../site-sibling/secret.txt',
    '/.env',
    '/%2eenv',
    '/assets/../.env',
  );
  return out;
}

const MALFORMED = [
  '/%',
  '/%zz',
  '/%E0%A4%A',
  '/%c0',
  '/%00',
  '/index.html%00.js',
  '/%00/../secret.txt',
  '/%ff%fe',
  '/a%',
  '/%%32%65',
  '/%u002e%u002e/secret.txt',
  '/index.html%',
  '/assets/%E2%82',
];
const ABSOLUTE = [
  'http://localhost/../secret.txt',
  'http://evil.example/%2e%2e/secret.txt',
  'http://localhost/..%2fsite-sibling/secret.txt',
  'file:///etc/passwd',
  'http://[::1',
  'http://a:b@localhost:1/%2e%2e%2fsecret.txt',
  '//etc/passwd',
  '///etc/passwd',
  '//../secret.txt',
  '*',
  '?',
  '/?../../secret.txt',
  'index.html',
  '..',
];

describe('HTTP fuzz', () => {
  it('answers every traversal attempt without leaving the root', async () => {
    const list = traversals();
    expect(list.length).toBeGreaterThan(900);
    for (const t of list) expectContained(t, await rawGet(port, t));
    await alive();
  });

  it('answers malformed percent-encodings, NUL bytes and absolute-form targets with 4xx or the SPA page', async () => {
    for (const t of [...MALFORMED, ...ABSOLUTE]) {
      const r = await rawGet(port, t);
      expectContained(t, r);
    }
    // The exact failures from the issue: a bad escape and a NUL both crashed the old server.
    expect((await rawGet(port, '/%E0%A4%A')).status).toBe(400);
    expect((await rawGet(port, '/%00')).status).toBe(400);
    expect((await rawGet(port, '/..%2fsite-sibling/secret.txt')).status).toBe(403);
    // A raw NUL and raw control bytes in the request line: refused by the HTTP parser itself.
    expect(
      (await rawRequest(port, Buffer.from('GET /a\x00b HTTP/1.1\r\nHost: x\r\n\r\n', 'latin1'))).status,
    ).toBe(400);
    await alive();
  });

  it('survives huge paths and headers, odd methods and garbage', async () => {
    expect((await rawGet(port, '/' + 'a'.repeat(100_000))).status).toBe(431);
    expect((await rawGet(port, '/', `X-Big: ${'b'.repeat(100_000)}\r\n`)).status).toBe(431);
    expect((await rawGet(port, '/', 'X-H: 1\r\n'.repeat(10_000))).status).toBe(431);
    expect((await rawGet(port, '/' + '%2e%2e%2f'.repeat(1500) + 'etc/passwd')).status).toBe(403);
    expect(
      (
        await rawRequest(
          port,
          'POST /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc',
        )
      ).status,
    ).toBe(405);
    expect((await rawRequest(port, 'TRACE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')).status).toBe(
      405,
    );
    for (const garbage of [
      '\x00\x01\x02\r\n\r\n',
      'GET\r\n\r\n',
      'GET / HTTP/9.9\r\n\r\n',
      'GET / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n',
      'GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n',
      '\r\n\r\n\r\nGARBAGE\r\n\r\n',
    ]) {
      const r = await rawRequest(port, Buffer.from(garbage, 'latin1'));
      expect(
        r.status === 0 || (r.status >= 400 && r.status < 500),
        `${JSON.stringify(garbage)} → ${r.status}`,
      ).toBe(true);
    }
    await alive();
  });

  it('holds up against random targets built from the dangerous characters', async () => {
    const ch = fc.constantFrom(
      '/',
      '.',
      '%',
      '2',
      'e',
      'E',
      'f',
      '5',
      'c',
      '0',
      '\\',
      's',
      'i',
      't',
      'e',
      '-',
      'b',
      ';',
      '?',
      '#',
      '~',
      '+',
      'x',
    );
    const segment = fc.oneof(
      fc.constantFrom(
        'site-sibling',
        'secret.txt',
        '..',
        '%2e%2e',
        '%2f',
        'assets',
        'index.html',
        '.env',
        '%00',
      ),
      fc.string({ unit: ch, maxLength: 12 }),
    );
    const targets = fc.sample(
      fc.array(segment, { minLength: 1, maxLength: 8 }).map((parts) => '/' + parts.join('')),
      { numRuns: 300, seed: 1913 },
    );
    for (const t of targets) expectContained(t, await rawGet(port, t));
    await alive();
  });

  it('still serves the app: files, the SPA fallback for app routes, ETag/304, and WebSockets', async () => {
    const home = await rawGet(port, '/');
    expect(home.status).toBe(200);
    expect(home.body).toBe(INDEX);
    const route = await rawGet(port, '/room/some-room?x=1');
    expect(route.status).toBe(200);
    expect(route.body).toBe(INDEX);
    expect(route.head.toLowerCase()).toContain('cache-control: no-cache');
    expect((await rawGet(port, '/docs/')).body).toBe('DOCS-PAGE');
    expect((await rawGet(port, '/missing.js')).status).toBe(404);
    const asset = await rawGet(port, '/assets/app-1a2b.js');
    expect(asset.status).toBe(200);
    expect(asset.head.toLowerCase()).toContain('immutable');
    const etag = /^etag: (.*)$/im.exec(asset.head)?.[1];
    expect(etag).toBeTruthy();
    expect((await rawGet(port, '/assets/app-1a2b.js', `If-None-Match: ${etag}\r\n`)).status).toBe(304);
    const c = await RawClient.open(`ws://127.0.0.1:${port}/signal`);
    expect((await c.join('after-fuzz', 'a')).peers).toEqual([]);
    c.close();
  });
});
