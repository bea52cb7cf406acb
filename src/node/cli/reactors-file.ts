// Loading the user's reactors module: every exported reactor definition is hosted under its export name;
// an exported `onJoin(joined)` runs once the peer is in the room (seed molecules, subscribe to events).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ReactorDefinition } from '../../core/reactor';
import type { JoinedRoom, ReactorSet } from '../../join/types';
import { UsageError } from './args';

export interface ReactorsModule {
  readonly reactors: ReactorSet;
  readonly onJoin: ((joined: JoinedRoom) => unknown)[];
}

const isDefinition = (x: unknown): x is ReactorDefinition =>
  typeof x === 'object' && x !== null && typeof (x as ReactorDefinition).id === 'string' && Array.isArray((x as ReactorDefinition).molecules) && Array.isArray((x as ReactorDefinition).reactions);

/**
 * What to do about the two load failures a newcomer meets: an ES module in a folder whose package.json says
 * "type": "commonjs" (npm init's default), and kinetic-mesh not installed where the file is (npx runs the
 * bin from its own cache, but the file's imports resolve from the file's folder).
 */
function loadHint(e: unknown, file: string): string {
  const message = e instanceof Error ? e.message : '';
  const code = (e as { code?: unknown } | null)?.code;
  if (e instanceof SyntaxError && /\b(export|import)\b/.test(message) && !file.endsWith('.mjs'))
    return ' (the file is an ES module: name it .mjs, or set "type": "module" in its package.json)';
  if (code === 'ERR_MODULE_NOT_FOUND' && message.includes("'kinetic-mesh"))
    return ' (install it where the reactors file is: npm install kinetic-mesh)';
  return '';
}

export async function loadReactorFiles(files: readonly string[], cwd: string): Promise<ReactorsModule> {
  const reactors: Record<string, ReactorDefinition> = {};
  const onJoin: ((joined: JoinedRoom) => unknown)[] = [];
  for (const file of files) {
    const full = path.resolve(cwd, file);
    if (!fs.existsSync(full)) throw new UsageError(`--reactors ${file}: no such file`);
    let mod: Record<string, unknown>;
    try {
      mod = (await import(pathToFileURL(full).href)) as Record<string, unknown>;
    } catch (e) {
      throw new UsageError(`--reactors ${file} could not be loaded: ${e instanceof Error ? e.message : String(e)}${loadHint(e, file)}`);
    }
    for (const [name, value] of Object.entries(mod)) {
      if (name === 'onJoin' && typeof value === 'function') onJoin.push(value as (joined: JoinedRoom) => unknown);
      else if (isDefinition(value)) {
        const key = name === 'default' ? value.name : name;
        if (reactors[key] && reactors[key] !== value) throw new UsageError(`two reactors are exported as "${key}"`);
        reactors[key] = value;
      }
    }
  }
  if (!Object.keys(reactors).length) throw new UsageError(`no reactor definitions exported by ${files.join(', ')} (export the result of reactor(...))`);
  return { reactors, onJoin };
}
