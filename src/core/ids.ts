// Branded identifiers: a PeerId can never be passed where a MoleculeId is expected.
export type PeerId = string & { readonly __brand: 'PeerId' };
export type RoomId = string & { readonly __brand: 'RoomId' };
export type ReactorId = string & { readonly __brand: 'ReactorId' };
/** Globally unique id of one distributed molecule copy: `<emitting peer>:<counter>` or similar. */
export type MoleculeId = string & { readonly __brand: 'MoleculeId' };
/** One claim on distributed molecules (and the commit that settles it); built in src/dcm/ids.ts. */
export type ClaimId = string & { readonly __brand: 'ClaimId' };
/** Sequencer term; strictly increases every time authority changes hands. */
export type Epoch = number & { readonly __brand: 'Epoch' };

export const asPeerId = (s: string): PeerId => s as PeerId;
export const asRoomId = (s: string): RoomId => s as RoomId;
export const asReactorId = (s: string): ReactorId => s as ReactorId;
export const asMoleculeId = (s: string): MoleculeId => s as MoleculeId;
export const asClaimId = (s: string): ClaimId => s as ClaimId;
export const asEpoch = (n: number): Epoch => n as Epoch;
/** Before the first term (an empty log, nothing promised). */
export const NO_EPOCH = asEpoch(0);
/** The highest of some epochs (NO_EPOCH for none). */
export const maxEpoch = (...epochs: readonly Epoch[]): Epoch => asEpoch(Math.max(NO_EPOCH, ...epochs));
