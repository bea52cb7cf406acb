// Run one reaction body inside a pool worker and collect what it emits and replies as plain data.
//
// Why not core's runReactionBody: it recognises molecules with `instanceof MoleculeHandle`, and in a
// production build the pool worker is bundled on its own, so the reactor module it imports carries its
// own copy of the MoleculeHandle class; identity checks across the two copies fail. Molecules are
// therefore recognised by shape here (name, kind, owning definition).
import type { ReactionContext, ReactorDefinition } from '../src/core/reactor';
import type { PeerId, ReactorId } from '../src/core/ids';
import type { ReactionOutput, ReactionResult } from '../src/core/runner';

interface MoleculeShape {
  readonly name: string;
  readonly kind: string;
  readonly owner?: { readonly id?: ReactorId };
}

const isMolecule = (m: unknown): m is MoleculeShape =>
  typeof m === 'object' && m !== null && typeof (m as MoleculeShape).name === 'string' && typeof (m as MoleculeShape).kind === 'string';

export async function runPoolBody(definition: ReactorDefinition, reaction: string, values: readonly unknown[], peer: PeerId): Promise<ReactionResult> {
  const spec = definition.reaction(reaction);
  if (!spec) throw new Error(`reactor "${definition.name}" has no reaction "${reaction}"`);
  if (values.length !== spec.inputs.length) throw new Error(`reaction "${reaction}" takes ${spec.inputs.length} inputs, got ${values.length}`);
  const outputs: ReactionOutput[] = [];
  const replies: Array<{ input: number; value: unknown }> = [];
  const args = values.map((value, input) => {
    if (spec.inputs[input]?.molecule.kind !== 'blocking') return value;
    let answered = false;
    return {
      value,
      reply(result: unknown): boolean {
        if (answered) return false;
        answered = true;
        replies.push({ input, value: result });
        return true;
      },
    };
  });
  const out = (molecule: unknown, value?: unknown): void => {
    if (!isMolecule(molecule)) throw new Error('out(...) needs a molecule declared in a reactor');
    if (molecule.kind === 'blocking') throw new Error(`out(${molecule.name}): a reaction cannot emit a blocking molecule`);
    outputs.push({ reactor: molecule.owner?.id ?? definition.id, molecule: molecule.name, value });
  };
  const ctx: ReactionContext = { reactor: definition.id, reaction, peer, signal: new AbortController().signal };
  await spec.body(args, out as never, ctx);
  return { outputs, replies };
}
