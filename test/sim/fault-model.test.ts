// docs/protocol.md's fault model names every fault kind the simulator injects (FaultKind in run.ts), so a
// kind added to the simulator without saying why the guarantees hold under it, and what it makes
// unavailable for how long, fails here.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ALL_FAULT_KINDS, DEFAULT_FAULT_KINDS, FaultKind } from './run';

const doc = fs.readFileSync(path.resolve(import.meta.dirname, '..', '..', 'docs', 'protocol.md'), 'utf8');
const start = doc.indexOf('\n## Fault model');
const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
/** The table's rows: `| fault (kinds) | why | unavailable |`. */
const rows = section.split('\n').filter((l) => l.startsWith('| **'));

describe('docs/protocol.md fault model', () => {
  it('has a row for every fault kind of the simulator, with why it is safe and what it makes unavailable', () => {
    expect(start).toBeGreaterThan(0);
    for (const kind of Object.keys(FaultKind)) {
      const row = rows.find((r) => r.split('|')[1]?.includes(`\`${kind}\``));
      expect(row, `a row naming \`${kind}\``).toBeDefined();
      const [, fault, why, unavailable] = (row ?? '').split(/(?<!\\)\|/);
      expect(fault?.trim().length, kind).toBeGreaterThan(0);
      expect(why?.trim().length, `${kind}: why the guarantees hold`).toBeGreaterThan(20);
      expect(unavailable?.trim().length, `${kind}: what becomes unavailable`).toBeGreaterThan(0);
    }
  });

  it('says which kind the default run leaves out', () => {
    const left = ALL_FAULT_KINDS.filter((k) => !DEFAULT_FAULT_KINDS.includes(k));
    expect(left).toEqual([FaultKind.staleStore]);
    expect(section).toMatch(/`npm\s+run sim` runs every kind but the stale store/);
  });
});
