// Reactor identity: a content hash over what makes two peers' reactors interchangeable (name, version,
// molecule names and kinds, the source text of every reaction). Peers share distributed molecules only
// between reactors with equal ids, so a peer running different code can never consume another's molecules.
// Order of declaration is ignored (as in Chymyst's DCM): reordering reactions does not change behaviour.
// It is a sync, non-cryptographic hash (two FNV-1a-32 lanes): an identity check, not a security boundary.
import { asReactorId, type ReactorId } from './ids';

/** Canonical description of one reaction for hashing: inputs, guards, patterns and body source. */
export interface ReactionShape {
  readonly name: string;
  readonly inputs: readonly string[];
  readonly source: string;
}

export interface ReactorShape {
  readonly name: string;
  readonly version: string;
  readonly molecules: readonly string[];
  readonly reactions: readonly ReactionShape[];
}

/** The canonical text that is hashed; exposed so tests and tools can see exactly what identity covers. */
export function canonicalText(shape: ReactorShape): string {
  const molecules = [...shape.molecules].sort();
  const reactions = shape.reactions
    .map((r) => `${r.name}(${r.inputs.join(' + ')})\n${r.source}`)
    .sort();
  return [`reactor ${shape.name}@${shape.version}`, ...molecules, ...reactions].join('\n');
}

/** 64-bit (two 32-bit FNV-1a lanes with different offset bases) hash, as 16 hex digits. */
export function fnv1a64(text: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c ^ (i & 0xff), 0x01000193);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

export const reactorIdOf = (shape: ReactorShape): ReactorId => asReactorId(fnv1a64(canonicalText(shape)));
