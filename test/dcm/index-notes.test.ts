// Notes by log index (index-notes.ts): taken in order; a skipped index drops the notes before it; a note out of
// order starts them over; a take with nothing noted for its index answers undefined (the caller looks it up).
import { describe, expect, it } from 'vitest';
import { IndexNotes } from '../../src/dcm/index-notes';

describe('index notes', () => {
  it('are taken in order, and a skipped or missing one is simply not there', () => {
    const n = new IndexNotes<string>();
    n.note(1, 'a');
    n.note(2, 'b');
    n.note(3, 'c');
    expect(n.take(1)).toBe('a');
    expect(n.take(3), 'index 2 was applied without its note: dropped').toBe('c');
    expect(n.take(4)).toBeUndefined();
    n.note(4, 'd');
    expect(n.take(4)).toBe('d');
  });

  it('start over at a note out of order, and after clear', () => {
    const n = new IndexNotes<number>();
    n.note(5, 50);
    n.note(9, 90); // not 6: the notes before are forgotten
    expect(n.take(5)).toBeUndefined();
    expect(n.take(9)).toBe(90);
    n.note(10, 100);
    n.clear(20);
    expect(n.take(10)).toBeUndefined();
    n.note(20, 200);
    expect(n.take(20)).toBe(200);
  });

  it('keep working across many notes (the spent head is cut off)', () => {
    const n = new IndexNotes<number>();
    for (let i = 1; i <= 5000; i++) {
      n.note(i, i * 2);
      if (i % 3 === 0) for (let k = i - 2; k <= i; k++) expect(n.take(k)).toBe(k * 2);
    }
  });
});
