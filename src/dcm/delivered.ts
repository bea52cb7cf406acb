// The emissions of one source (`<peer>~<token>`) a replica knows: those its committed state applied and those
// in its uncommitted tail. Emissions mostly arrive in order, so the applied ones are a counter plus the few
// above it (no set traffic in the usual case).
/**
 * One source's emissions: those the committed state applied (`upTo` and `above` it) and those in the tail. One
 * record per source, found with one lookup (they were two maps: four lookups of the source per emit applied).
 */
export class Delivered {
  upTo = 0;
  readonly above = new Set<number>();
  /** Sequence numbers of the tail's emits (an emptied set stays: the source emits on). */
  tail: Set<number> | null = null;
  has(seq: number): boolean {
    return seq <= this.upTo || this.above.has(seq);
  }
  add(seq: number): void {
    if (seq !== this.upTo + 1) return void this.above.add(seq);
    this.upTo = seq; // the usual case, in order: no set traffic
    if (this.above.size > 0) while (this.above.delete(this.upTo + 1)) this.upTo++;
  }
}
