// The sequencer's claim table. Claims are volatile on purpose: a claim reserves molecule copies for one
// reaction run while its holder is alive and renewing; losing the table (sequencer crash, new epoch) only
// means in-flight commits are fenced and their inputs stay available. Nothing is ever consumed by a claim:
// consumption happens only through a commit entry in the replicated log.
import type { ClaimId, Epoch, MoleculeId, PeerId } from '../core/ids';

export interface Claim {
  readonly claimId: ClaimId;
  readonly holder: PeerId;
  readonly ids: readonly MoleculeId[];
  readonly epoch: Epoch;
  expiresAt: number;
}

export type ClaimDrop = 'expired' | 'released' | 'holder-gone' | 'committed';

export class ClaimTable {
  readonly #claims = new Map<string, Claim>();
  readonly #byMolecule = new Map<MoleculeId, string>();

  get size(): number {
    return this.#claims.size;
  }
  get(claimId: ClaimId): Claim | undefined {
    return this.#claims.get(claimId);
  }
  isClaimed(id: MoleculeId): boolean {
    return this.#byMolecule.has(id);
  }
  values(): IterableIterator<Claim> {
    return this.#claims.values();
  }

  /** Grant when every id is distinct and free (availability in the log is the caller's check). */
  grant(claim: Claim): boolean {
    if (this.#claims.has(claim.claimId)) return false;
    if (new Set(claim.ids).size !== claim.ids.length) return false;
    if (claim.ids.some((id) => this.#byMolecule.has(id))) return false;
    this.#claims.set(claim.claimId, claim);
    for (const id of claim.ids) this.#byMolecule.set(id, claim.claimId);
    return true;
  }

  renew(claimId: ClaimId, holder: PeerId, until: number): void {
    const c = this.#claims.get(claimId);
    if (c && c.holder === holder) c.expiresAt = Math.max(c.expiresAt, until);
  }

  drop(claimId: ClaimId): Claim | undefined {
    const c = this.#claims.get(claimId);
    if (!c) return undefined;
    this.#claims.delete(claimId);
    for (const id of c.ids) if (this.#byMolecule.get(id) === claimId) this.#byMolecule.delete(id);
    return c;
  }

  /** Claims whose lease ran out by `now`. */
  expired(now: number): Claim[] {
    return [...this.#claims.values()].filter((c) => c.expiresAt <= now);
  }

  heldBy(holder: PeerId): Claim[] {
    return [...this.#claims.values()].filter((c) => c.holder === holder);
  }
}
