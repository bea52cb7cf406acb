// The Tokens panel's rows: the soup flattened into one list (reactor headers, one row per molecule name
// with its count, and the sampled values of expanded names), so a virtual list can show thousands.
import type { MoleculeGroupView, RoomView } from '../../../workers/contract/room-view';
import { formatValue } from '../lib/format';

export type TokenRow =
  | { kind: 'reactor'; key: string; name: string; count: number }
  | { kind: 'group'; key: string; group: MoleculeGroupView; expanded: boolean }
  | { kind: 'value'; key: string; text: string }
  | { kind: 'more'; key: string; hidden: number };

export const groupKey = (g: MoleculeGroupView): string => `${g.reactor}/${g.name}`;

export interface TokenTotals {
  all: number;
  distributed: number;
  local: number;
  latched: number;
}

export function tokenTotals(view: RoomView | null): TokenTotals {
  const t = { all: 0, distributed: 0, local: 0, latched: 0 };
  for (const g of view?.molecules ?? []) {
    t.all += g.count;
    if (g.latched) t.latched += g.count;
    else if (g.distributed) t.distributed += g.count;
    else t.local += g.count;
  }
  return t;
}

/**
 * Rows for the groups matching `filter` (reactor or molecule name), expanded groups showing their values.
 * Names with no copy right now are left out unless `showEmpty`: most of a reactor's molecules are empty
 * most of the time, and listing them buries the ones that hold something.
 */
export function tokenRows(view: RoomView | null, expanded: ReadonlySet<string>, filter: string, showEmpty = false): TokenRow[] {
  const needle = filter.trim().toLowerCase();
  const byReactor = new Map<string, MoleculeGroupView[]>();
  for (const g of view?.molecules ?? []) {
    if (needle && !`${g.reactorName} ${g.name}`.toLowerCase().includes(needle)) continue;
    if (g.count === 0 && !showEmpty) continue;
    const list = byReactor.get(g.reactorName) ?? [];
    list.push(g);
    byReactor.set(g.reactorName, list);
  }
  const rows: TokenRow[] = [];
  for (const [name, groups] of [...byReactor.entries()].sort((a, b) => a[0].localeCompare(b[0]))) {
    rows.push({ kind: 'reactor', key: `r:${name}`, name, count: groups.reduce((a, g) => a + g.count, 0) });
    for (const g of groups.sort((a, b) => a.name.localeCompare(b.name))) {
      const key = groupKey(g);
      const open = expanded.has(key);
      rows.push({ kind: 'group', key: `g:${key}`, group: g, expanded: open });
      if (!open) continue;
      g.sample.forEach((value, i) => rows.push({ kind: 'value', key: `v:${key}:${i}`, text: formatValue(value) }));
      if (g.count > g.sample.length) rows.push({ kind: 'more', key: `m:${key}`, hidden: g.count - g.sample.length });
    }
  }
  return rows;
}
