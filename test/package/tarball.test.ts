// The packages as a stranger gets them: `npm pack` both, install the tarballs into a fresh project outside
// the repository (registry packages from npm's cache when it has them), and use them with nothing from the
// repository — no alias, no path mapping: the README example under plain `node`, the published types under
// three consumer tsconfigs, a Vite build, `npx kinetic-signal`, two `npx kinetic-peer` bots and a script
// sharing a distributed counter and a direct message. Run by `npm run test:package` (part of `npm test`).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(import.meta.dirname, '../..');
const consumer = path.join(import.meta.dirname, 'consumer');
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kinetic-package-'));
const app = path.join(work, 'app');
const children: ChildProcess[] = [];

/** Versions the repository already uses, so the install is served from npm's cache. */
const versionOf = (name: string): string =>
  (
    JSON.parse(fs.readFileSync(path.join(repo, 'node_modules', name, 'package.json'), 'utf8')) as {
      version: string;
    }
  ).version;

function run(cmd: string, args: string[], cwd: string, timeoutMs = 180_000): string {
  const r = spawnSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (r.status !== 0)
    throw new Error(
      `${cmd} ${args.join(' ')} (in ${cwd}) exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}`,
    );
  return r.stdout;
}

/** A long-running process whose output is collected; `waitFor` bounds every wait. */
function start(cmd: string, args: string[]) {
  const child = spawn(cmd, args, { cwd: app, env: { ...process.env, NODE_OPTIONS: '' }, detached: true });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    exited,
    output: () => out,
    async waitFor(pattern: RegExp, ms: number): Promise<RegExpExecArray> {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
        const m = pattern.exec(out);
        if (m) return m;
        if (child.exitCode !== null) break;
      }
      throw new Error(`${cmd} ${args.join(' ')}: no ${pattern} within ${ms} ms; output:\n${out}`);
    },
  };
}

/** Resolves once no process of the group led by `pid` is left. */
async function waitUntilGone(pid: number, ms: number): Promise<void> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 50))) {
    try {
      process.kill(-pid, 0);
    } catch {
      return;
    }
  }
  throw new Error(`process group ${pid} still running after ${ms} ms`);
}

/** `run`, without blocking the event loop (the type checks run side by side). */
function runAsync(cmd: string, args: string[], cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, NODE_OPTIONS: '' } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

beforeAll(() => {
  const pkgs = path.join(work, 'pkgs');
  fs.mkdirSync(pkgs);
  fs.mkdirSync(app);
  // prepack builds each package (tsdown), so what is packed is what this commit's sources build to.
  run('npm', ['pack', '--silent', '--pack-destination', pkgs], repo);
  run('npm', ['pack', '--silent', '-w', 'kinetic-signal', '--pack-destination', pkgs], repo);
  const tarballs = fs.readdirSync(pkgs).map((f) => path.join(pkgs, f));
  expect(tarballs.map((t) => path.basename(t)).sort()).toEqual([
    'kinetic-mesh-0.1.0.tgz',
    'kinetic-signal-0.1.0.tgz',
  ]);
  fs.writeFileSync(
    path.join(app, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  for (const f of fs.readdirSync(consumer)) fs.copyFileSync(path.join(consumer, f), path.join(app, f));
  const tools = ['typescript', '@types/node', 'vite', 'simple-peer'].map((n) => `${n}@${versionOf(n)}`);
  run(
    'npm',
    ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...tarballs, ...tools],
    app,
  );
}, 600_000);

afterAll(() => {
  // Whatever a failed case left running: its whole process group (npx and the bin it started).
  for (const c of children) {
    try {
      if (c.pid) process.kill(-c.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
});

describe('the packed packages, installed into a fresh project', () => {
  it('ship compiled files only, and nothing reached through ../', () => {
    const mesh = path.join(app, 'node_modules/kinetic-mesh');
    const files = fs.readdirSync(path.join(mesh, 'dist/lib'));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files).toContain('kinetic-peer.js');
    for (const dir of [path.join(mesh, 'dist/lib'), path.join(app, 'node_modules/kinetic-signal/dist')]) {
      for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.js'))) {
        expect(fs.readFileSync(path.join(dir, f), 'utf8'), `${f} imports outside its package`).not.toMatch(
          /from ["']\.\.\/|import\(["']\.\.\//,
        );
      }
    }
    // kinetic-signal bundles the wire contract it shares with the client (kinetic-mesh/protocol): it does not
    // need kinetic-mesh installed.
    const signalDist = path.join(app, 'node_modules/kinetic-signal/dist');
    for (const f of fs.readdirSync(signalDist).filter((x) => x.endsWith('.js') || x.endsWith('.d.ts'))) {
      expect(fs.readFileSync(path.join(signalDist, f), 'utf8'), `${f} imports kinetic-mesh`).not.toMatch(/(from|import\()\s*["']kinetic-mesh/);
    }
  });

  it('exports the wire contract as kinetic-mesh/protocol (what kinetic-signal is built on)', () => {
    const out = run(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "const p = await import('kinetic-mesh/protocol'); console.log(typeof p.parseClientFrame, typeof p.encodeServerFrame, p.parseRoomLink('#room=a&key=b')?.room);",
      ],
      app,
    );
    expect(out.trim()).toBe('function function a');
  });

  it("runs the README's example with plain node", () => {
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
    const example = /```ts\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
    expect(example).toContain("from 'kinetic-mesh'");
    // TypeScript → JavaScript with the consumer's own compiler, types stripped, imports untouched.
    fs.writeFileSync(path.join(app, 'readme-example.ts'), example);
    const ts = path.join(app, 'node_modules/typescript/bin/tsc');
    run(
      process.execPath,
      [
        ts,
        '--module',
        'nodenext',
        '--target',
        'es2022',
        '--skipLibCheck',
        '--outDir',
        'readme-out',
        'readme-example.ts',
      ],
      app,
    );
    const printed = run(process.execPath, ['readme-out/readme-example.js'], app).trim().split('\n');
    const expected = [...example.matchAll(/console\.log\(.*\);\s*\/\/ → (.*)$/gm)].map((m) => m[1]?.trim());
    expect(printed).toEqual(expected);
  });

  it('type-checks consumers under bundler, NodeNext with and without DOM, and create-vite strict (skipLibCheck: false)', async () => {
    const configs = [
      [
        'bundler',
        { module: 'ESNext', moduleResolution: 'bundler', lib: ['ES2022', 'DOM', 'DOM.Iterable'], types: [] },
        ['browser.ts', 'node.ts'],
      ],
      [
        'NodeNext without DOM',
        { module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022'], types: ['node'] },
        ['node.ts'],
      ],
      [
        'NodeNext with DOM',
        { module: 'NodeNext', moduleResolution: 'NodeNext', lib: ['ES2022', 'DOM'], types: ['node'] },
        ['node.ts'],
      ],
      [
        'create-vite strict',
        {
          target: 'ES2022',
          useDefineForClassFields: true,
          module: 'ESNext',
          lib: ['ES2023', 'DOM', 'DOM.Iterable'],
          types: ['vite/client'],
          moduleResolution: 'bundler',
          allowImportingTsExtensions: true,
          verbatimModuleSyntax: true,
          moduleDetection: 'force',
          noUnusedLocals: true,
          noUnusedParameters: true,
          erasableSyntaxOnly: true,
          noFallthroughCasesInSwitch: true,
          noUncheckedSideEffectImports: true,
        },
        ['browser.ts'],
      ],
    ] as const;
    // The README's browser and Node snippets (```typescript blocks) against the published types too.
    const readme = fs.readFileSync(path.join(repo, 'README.md'), 'utf8');
    const snippets = [...readme.matchAll(/```typescript\n([\s\S]*?)```/g)].map((m, i) => {
      fs.writeFileSync(path.join(app, `readme-snippet-${i + 1}.ts`), m[1] ?? '');
      return `readme-snippet-${i + 1}.ts`;
    });
    expect(snippets.length).toBeGreaterThan(0);
    // (The README's snippets join the bundler check, which therefore has Node's types too.)
    const all = configs.map(([name, options, files]) => (name === 'bundler' ? ([name, { ...options, types: ['node'] }, [...files, ...snippets]] as const) : ([name, options, files] as const)));
    const tsc = path.join(app, 'node_modules/typescript/bin/tsc');
    await Promise.all(
      all.map(([name, options, files]) => {
        const config = path.join(app, `tsconfig.${name.replace(/\W+/g, '-')}.json`);
        fs.writeFileSync(
          config,
          JSON.stringify({
            compilerOptions: {
              target: 'ES2022',
              strict: true,
              skipLibCheck: false,
              noEmit: true,
              ...options,
            },
            files,
          }),
        );
        return runAsync(process.execPath, [tsc, '-p', config], app);
      }),
    );
  }, 300_000);

  it('builds a Vite app that imports kinetic-mesh and kinetic-mesh/webrtc', () => {
    run(
      process.execPath,
      [
        path.join(app, 'node_modules/vite/bin/vite.js'),
        'build',
        '--logLevel',
        'error',
        '--outDir',
        'vite-out',
      ],
      app,
    );
    const assets = fs.readdirSync(path.join(app, 'vite-out/assets')).filter((f) => f.endsWith('.js'));
    expect(assets.length).toBeGreaterThan(0);
    const code = assets.map((f) => fs.readFileSync(path.join(app, 'vite-out/assets', f), 'utf8')).join('\n');
    expect(code).toContain('kinetic:mesh:webrtc'); // the WebRTC adapter made it into the bundle
  });

  it('runs npx kinetic-signal, two npx kinetic-peer bots and a script sharing a counter and a direct message', async () => {
    const help = run('npx', ['--no-install', 'kinetic-signal', '--help'], app);
    expect(help).toMatch(/kinetic-signal/);
    const signal = start('npx', ['--no-install', 'kinetic-signal', '--port', '0']);
    const port = (await signal.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\/signal/, 20_000))[1];
    // Mistakes are one line on stderr and a non-zero exit, no stack trace: an unknown flag, a port in use, a
    // link that is none, and an ES module reactors file in a folder whose package.json says "type": "commonjs"
    // (what `npm init -y` writes now): the line says what to do about it.
    fs.mkdirSync(path.join(app, 'cjs'));
    fs.writeFileSync(path.join(app, 'cjs/package.json'), JSON.stringify({ type: 'commonjs' }));
    fs.writeFileSync(path.join(app, 'cjs/reactors.js'), "export { counter } from 'kinetic-mesh/reactors';\n");
    for (const [args, code, message] of [
      [['--bogus'], 2, /^kinetic-signal: .*--bogus/],
      [['--port', String(port)], 1, /^kinetic-signal: .*in use/],
      [['--bogus'], 2, /^kinetic-peer: .*--bogus/],
      [['notalink', '--reactors', './reactors.js'], 2, /^kinetic-peer: "notalink" is not a room link/],
      [['http://127.0.0.1:9/#room=a&key=b', '--reactors', './cjs/reactors.js'], 2, /^kinetic-peer: .*name it \.mjs, or set "type": "module"/],
    ] as const) {
      const bin = String(message).includes('peer') ? 'kinetic-peer' : 'kinetic-signal';
      const r = spawnSync('npx', ['--no-install', bin, ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 });
      // (Node's own warning about loading an ES module as CommonJS comes before ours: not our line.)
      const lines = r.stderr.split('\n').filter((l) => l.trim() && !l.startsWith('npm ') && !/^\((node:\d+|Use `node)/.test(l));
      expect(r.status, r.stderr).toBe(code);
      expect(lines, r.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(message);
    }
    expect(run('npx', ['--no-install', 'kinetic-peer', '--version'], app).trim()).toBe('kinetic-peer 0.1.0');
    const link = `http://127.0.0.1:${port}/#room=tarball&key=tarball-secret`;
    const bots = ['bot-a', 'bot-b'].map((name) =>
      start('npx', [
        '--no-install',
        'kinetic-peer',
        link,
        '--name',
        name,
        '--reactors',
        './reactors.js',
        '--data',
        `./${name}-data`,
        '--new-history',
      ]),
    );
    const ids = await Promise.all(
      bots.map(async (b) => (await b.waitFor(/\((\w+)\) hosting counter, letters/, 20_000))[1]),
    );
    await Promise.all(bots.map((b) => b.waitFor(/in the room/, 20_000)));

    const script = start(process.execPath, ['script.js', link]);
    expect(await script.exited, script.output()).toBe(0);
    expect(script.output()).toContain('count 10');
    expect(script.output()).toContain(`sent to ${ids[0]}`);
    const [botA, botB] = bots as [ReturnType<typeof start>, ReturnType<typeof start>];
    await botA.waitFor(new RegExp(`letter for ${ids[0]}: hello bot-a`), 30_000);
    await botA.waitFor(/members \(3\): bot-a \(you\), /, 5_000);
    expect(botB.output()).not.toContain('letter for');

    // SIGTERM to each bot's process group, as a terminal's Ctrl-C reaches npx and the peer alike (npx itself
    // does not forward signals); each bot leaves, saves, and its whole group is gone.
    for (const b of bots) process.kill(-(b.child.pid ?? 0), 'SIGTERM');
    for (const b of bots) await b.waitFor(/left; state saved/, 15_000);
    for (const b of bots) await waitUntilGone(b.child.pid ?? 0, 10_000);
    process.kill(-(signal.child.pid ?? 0), 'SIGTERM');
    await waitUntilGone(signal.child.pid ?? 0, 10_000);
  }, 180_000);
});
