// A distributed blocking call whose consuming reaction finished without replying must still be answered
// exactly once, and the answer has to travel through the room like any reply. It travels as this marker
// value; the caller's machine turns it back into a rejected Promise. The port just routes it as data.
import { NoReplyError } from './errors';

export interface ReplyFailure {
  readonly kineticReplyFailure: string;
}

export const replyFailure = (message: string): ReplyFailure => ({ kineticReplyFailure: message });

export const isReplyFailure = (v: unknown): v is ReplyFailure =>
  typeof v === 'object' && v !== null && typeof (v as { kineticReplyFailure?: unknown }).kineticReplyFailure === 'string';

/** The reply value, or a rejection if the remote reaction reported that it could not reply. */
export function unwrapReply(molecule: string, v: unknown): unknown {
  if (isReplyFailure(v)) throw new NoReplyError(molecule, v.kineticReplyFailure);
  return v;
}
