// The plain-JS yardstick for the local benchmark: the `multisetQueued` engine of
// /work/shared/anchors-bench/bench/local-baseline.mjs (a Map-keyed multiset, reactions looked up by
// molecule name, every emission appended to a queue and processed like any message), generalised from
// one reaction to many so the many-reactions benchmark has a like-for-like baseline.

interface Msg {
  mol: string;
  value: unknown;
}

interface BaselineReaction {
  inputs: string[];
  body: (first: unknown) => void;
}

export function makeMultisetQueued(reactions: (emit: (mol: string, value: unknown) => void) => BaselineReaction[]): {
  run(msgs: Msg[], initial: Msg[]): Map<string, unknown[]>;
} {
  const bag = new Map<string, unknown[]>();
  const byMol = new Map<string, BaselineReaction[]>();
  let queue: Msg[] = [];
  const emit = (mol: string, value: unknown): void => {
    queue.push({ mol, value });
  };
  for (const r of reactions(emit)) {
    for (const m of r.inputs) {
      if (!bag.has(m)) bag.set(m, []);
      const list = byMol.get(m) ?? [];
      list.push(r);
      byMol.set(m, list);
    }
  }
  const tryFire = (r: BaselineReaction): boolean => {
    const ins = r.inputs;
    for (let k = 0; k < ins.length; k++) if ((bag.get(ins[k] as string) as unknown[]).length === 0) return false;
    const first = (bag.get(ins[0] as string) as unknown[]).pop();
    for (let k = 1; k < ins.length; k++) (bag.get(ins[k] as string) as unknown[]).pop();
    r.body(first);
    return true;
  };
  const add = (mol: string, value: unknown): void => {
    (bag.get(mol) as unknown[]).push(value);
    const rs = byMol.get(mol) as BaselineReaction[];
    for (let k = 0; k < rs.length; k++) if (tryFire(rs[k] as BaselineReaction)) break;
  };
  return {
    run(msgs, initial) {
      queue = msgs; // a private copy made outside the timed region; emissions are appended to it
      for (const m of initial) add(m.mol, m.value);
      for (let h = 0; h < queue.length; h++) {
        const m = queue[h] as Msg;
        add(m.mol, m.value);
      }
      return bag;
    },
  };
}
