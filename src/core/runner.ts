// The ReactionRunner seam: where `pool: true` bodies run. The worker pool (workers/) implements it by
// importing the reactor's module in a worker (which re-runs `reactor(...)` there, giving the same id) and
// calling `runReactionBody` on it. A pool body cannot close over main-thread state and cannot reply to a
// Call object across threads, so it gets stand-in Calls and everything it does comes back as plain data.
import type { PeerId, ReactorId } from './ids';
import { MoleculeHandle, type AnyMolecule, type Call } from './molecule';
import type { ReactionContext, ReactorDefinition } from './reactor';

export interface ReactionJob {
  readonly reactor: ReactorId;
  readonly reactorName: string;
  /** Module URL to import in the worker (`meta.module` of the reactor). */
  readonly module: string | undefined;
  readonly reaction: string;
  /** Input values in declaration order; a blocking input carries its argument. Structured-clonable. */
  readonly values: readonly unknown[];
  readonly peer: PeerId;
  /** The definition itself, for in-process runners. A worker pool must not post it: it imports `module`. */
  readonly definition: ReactorDefinition<unknown>;
}

/** One molecule a body emitted, addressed by reactor id and name so it can cross threads. */
export interface ReactionOutput {
  readonly reactor: ReactorId;
  readonly molecule: string;
  readonly value: unknown;
}

export interface ReactionResult {
  readonly outputs: readonly ReactionOutput[];
  /** Replies to blocking inputs, by input position; a position without an entry was not answered. */
  readonly replies: readonly { readonly input: number; readonly value: unknown }[];
}

export interface ReactionRunner {
  /** Run one reaction body; rejects when the body throws (the machine then fails or retries the run). */
  run(job: ReactionJob): Promise<ReactionResult>;
}

/**
 * Run a reaction body detached from any machine, collecting what it emits and replies. Used by the worker
 * pool (in the worker) and by the default in-process runner.
 */
export async function runReactionBody(
  definition: ReactorDefinition<unknown>,
  reactionName: string,
  values: readonly unknown[],
  context?: { readonly peer?: PeerId; readonly signal?: AbortSignal },
): Promise<ReactionResult> {
  const spec = definition.reaction(reactionName);
  if (!spec) throw new Error(`reactor "${definition.name}" has no reaction "${reactionName}"`);
  if (values.length !== spec.inputs.length) throw new Error(`reaction "${reactionName}" takes ${spec.inputs.length} inputs, got ${values.length}`);
  const outputs: ReactionOutput[] = [];
  const replies: { input: number; value: unknown }[] = [];
  const args = values.map((v, i) => {
    if (spec.inputs[i]?.molecule.kind !== 'blocking') return v;
    let answered = false;
    const call: Call<unknown, unknown> = {
      value: v,
      reply(result) {
        if (answered) return false;
        answered = true;
        replies.push({ input: i, value: result });
        return true;
      },
    };
    return call;
  });
  const out = (molecule: AnyMolecule, value?: unknown): void => {
    if (!(molecule instanceof MoleculeHandle) || molecule.owner.id === undefined) throw new Error('out(...) needs a molecule declared in a reactor');
    if (molecule.kind === 'blocking') throw new Error(`out(${molecule.name}): a reaction cannot emit a blocking molecule`);
    outputs.push({ reactor: molecule.owner.id, molecule: molecule.name, value });
  };
  const ctx: ReactionContext = {
    reactor: definition.id,
    reaction: reactionName,
    peer: context?.peer ?? ('' as PeerId),
    signal: context?.signal ?? new AbortController().signal,
  };
  await spec.body(args, out as never, ctx);
  return { outputs, replies };
}

/** The default runner: pool bodies run in-process, on the machine's thread. */
export const inlineRunner: ReactionRunner = {
  run: (job) => runReactionBody(job.definition, job.reaction, job.values, { peer: job.peer }),
};
