// Every id the distributed room makes is built here, and the one that is read back (an emitted copy's
// source and sequence number) is parsed here too, so each format is written once:
//   source         `<peer>~<random>`        one process's outbox (fresh per start; its items keep it in the store)
//   ballot owner   `<peer>~<boot>`          this process's incarnation: two tabs of one identity differ
//   emitted copy   `<source>:<seq>`         the seq-th emission of that source
//   emission key   `<source>#<seq>`         the same emission as a key (outbox, de-duplication)
//   produced copy  `<claim>.<i>`            the i-th molecule a committed claim produced
//   claim, call    `<peer>:<boot>:c<n>`, `<peer>:<boot>:k<n>`
import { asClaimId, asMoleculeId, type ClaimId, type MoleculeId, type PeerId } from '../core/ids';

/** A random 32-bit token in base 36 (a source's or a process's distinguishing part). */
export const randomToken = (random: () => number): string => Math.floor(random() * 2 ** 32).toString(36);

export const newSource = (self: PeerId, random: () => number): string => `${self}~${randomToken(random)}`;

export const ballotOwner = (self: PeerId, boot: string): string => `${self}~${boot}`;

/** A ballot owner or a source (`<peer>~<token>`) belongs to this peer. */
export const ownedBy = (owner: string, peer: PeerId): boolean => owner.startsWith(`${peer}~`);

/** A claim id (`<peer>:<boot>:c<n>`) names the peer it belongs to. */
export function claimOwnedBy(claimId: string, peer: PeerId): boolean {
  const cut = claimId.lastIndexOf(':', claimId.lastIndexOf(':') - 1);
  return cut > 0 && claimId.slice(0, cut) === peer;
}

/** The key of the seq-th emission of `source` (an outbox item, a de-duplicated emit). */
export const emitKey = (source: string, seq: number): string => `${source}#${seq}`;

export const emittedMoleculeId = (source: string, seq: number): MoleculeId => asMoleculeId(`${source}:${seq}`);

/** The source and sequence number of an emitted copy; null for a produced copy (or a malformed id). */
export function emissionOf(id: MoleculeId): { readonly source: string; readonly seq: number } | null {
  const at = id.lastIndexOf(':');
  if (at <= 0) return null;
  const digits = id.slice(at + 1);
  const seq = Number(digits);
  return /^\d+$/.test(digits) && Number.isSafeInteger(seq) ? { source: id.slice(0, at), seq } : null;
}

/**
 * How long the emitting peer's id is at the start of an emitted copy's id (`<peer>~<token>:<seq>`), or -1
 * for a produced copy (`…:c<n>.<i>`). Hot (affinity asks it for every copy a peer looks at), so it reads
 * the id's shape without parsing the number or allocating.
 */
export function emitterLength(id: MoleculeId): number {
  const at = id.lastIndexOf(':');
  const d = id.charCodeAt(at + 1);
  return at <= 0 || d < 48 || d > 57 ? -1 : id.lastIndexOf('~', at);
}

export const producedMoleculeId = (claim: ClaimId, index: number): MoleculeId => asMoleculeId(`${claim}.${index}`);

/** Ids of this process's requests: claims (`c`) and blocking calls (`k`), numbered by one counter. */
export class RequestIds {
  #counter = 0;
  constructor(
    private readonly self: PeerId,
    private readonly boot: string,
  ) {}

  claim(): ClaimId {
    return asClaimId(`${this.self}:${this.boot}:c${this.#counter++}`);
  }

  call(): string {
    return `${this.self}:${this.boot}:k${this.#counter++}`;
  }
}
