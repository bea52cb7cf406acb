// The core's public surface (src/index.ts re-exports from here).
export { reactor } from './reactor';
export type { ReactorBuilder, ReactorDefinition, ReactorMeta, ReactionBody, ReactionContext, ReactionOptions, ReactionSpec, InputSpec, MoleculeOptions, RetryPolicy } from './reactor';
export type { AnyMolecule, BlockingMolecule, Call, CallOptions, EmitterOf, Emitters, Input, LatchedMolecule, Molecule, MoleculeKind, Out, ValuesOf } from './molecule';
export { createMachine } from './machine';
export type { LoadOptions, LoadedReactor, Machine, MachineOptions, MachineStats, MoleculeSnapshot, RestoredMolecule } from './machine-api';
export type {
  ConsumedEvent,
  EmittedEvent,
  MachineErrorEvent,
  MachineEvents,
  ReactionFailedEvent,
  ReactionFinishedEvent,
  ReactionStartedEvent,
  ReactorLoadedEvent,
  ReactorUnloadedEvent,
} from './events';
export { TimeoutError, NoReplyError } from './errors';
export { ValueLimitError, DEFAULT_VALUE_LIMITS, valueProblem, type ValueLimits } from './value-limits';
export { createSinglePeerPort, type SinglePeerPort } from './single-peer-port';
export { inlineRunner, runReactionBody, type ReactionJob, type ReactionOutput, type ReactionResult, type ReactionRunner } from './runner';
export { isReplyFailure, replyFailure, unwrapReply, type ReplyFailure } from './reply-failure';
export { canonicalText, fnv1a64 } from './reactor-id';
export { Emitter } from './emitter';
export { logger, type Logger } from './log';
export * from './ids';
export * from './clock';
export type * from './distributed-port';
