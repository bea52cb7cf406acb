// Seeds the 100k soak failed on, replayed exactly as the soak ran them (`tsx test/sim/cli.ts --seed N`, every
// default fault kind; run in a child process because the same seed schedules differently under vitest's
// transform). 53846 and 55849 (soak of 161fc3f): a replica kept claiming a copy it knew only from a peer's
// fresh notice, whose emitter stopped itself (store write failed) before the emit was durable — the emit
// never reached the sequencer, every claim was refused, and the replica claimed again every 7 ms until the
// run's 40 s deadline (4,904 refused commits). Now a refused claim forgets such a copy (requester.ts #finish).
// 22650 (soak of f08e411): the checker's own error. The sequencer dropped p4's claim (holder-gone), p4's
// resent claim was granted again 0.9 ms later (its copy was still free) and p4 committed under that live
// grant; the checker paired the claim's FIRST grant and FIRST drop and called the commit unfenced. Fencing
// is now judged by the claim's latest grant or drop before the append (mutation.test.ts still catches a
// sequencer that commits without a live claim).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const cli = path.join(import.meta.dirname, 'cli.ts');

function replay(seed: number): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', cli, '--seed', String(seed)], { maxBuffer: 256 * 1024 * 1024, timeout: 90_000 }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: stdout.slice(-2000) });
    });
  });
}

describe('soak seeds replayed as the soak ran them', () => {
  for (const seed of [53846, 55849, 22650]) {
    it(`seed ${seed} settles with every invariant holding`, async () => {
      const r = await replay(seed);
      expect(r.out).toContain('all invariants hold');
      expect(r.code).toBe(0);
    }, 120_000);
  }
});
