// Small display formatters shared by the panels: numbers and times as a person reads them.

/** `0.4 ms`, `12 ms`, `1.3 s`. */
export function formatMs(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 10) return `${ms.toFixed(1)} ms`;
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
}

/** `12,345` with the reader's separators. */
export const formatCount = (n: number): string => n.toLocaleString('en-US');

/** First characters of a hash or id, enough to tell them apart on screen. */
export const shortId = (id: string, length = 8): string => (id.length > length ? id.slice(0, length) : id);

/** A molecule value on one line, bounded, for lists (rendered as text, never as HTML). */
export function formatValue(value: unknown, max = 160): string {
  let text: string;
  if (value === undefined) text = '()';
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** `14:03` for today, for chat and activity timestamps. */
export function formatClock(at: number): string {
  const d = new Date(at);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
}

/** Plain words for an error, without stack traces or class names. */
export function plainError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^(Error|TypeError|TimeoutError):\s*/, '') || 'Something went wrong.';
}
