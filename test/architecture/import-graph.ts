// The import graph of the production code (src, workers, signaling-server/src), read with the TypeScript
// compiler's own pre-processor so type-only imports, re-exports, dynamic imports and `new URL(…, import.meta.url)`
// worker entries all count as edges. Svelte components contribute the imports of their <script> blocks.
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export interface ImportGraph {
  /** Repository-relative file paths (forward slashes). */
  readonly files: readonly string[];
  /** file → the repository files it imports (package imports are left out). */
  readonly edges: ReadonlyMap<string, readonly string[]>;
  /** Relative specifiers that resolve to no file: a broken import is an architecture error too. */
  readonly unresolved: readonly { from: string; specifier: string }[];
}

const SOURCE = /\.(ts|svelte)$/;
const SCRIPT_BLOCK = /<script\b[^>]*>([\s\S]*?)<\/script>/g;
const WORKER_URL = /new URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g;
const EXTENSIONS = ['', '.ts', '.svelte', '.svelte.ts', '/index.ts'];

function listFiles(root: string, dir: string): string[] {
  const absolute = path.join(root, dir);
  if (!fs.existsSync(absolute)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(absolute, { withFileTypes: true })) {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (entry.name !== 'node_modules') out.push(...listFiles(root, relative));
    } else if (SOURCE.test(entry.name) && !entry.name.endsWith('.d.ts')) {
      out.push(relative);
    }
  }
  return out;
}

/** The code without its comments (the scanner knows strings and regexes, so `//` inside them stays). */
function withoutComments(code: string): string {
  const scanner = ts.createScanner(ts.ScriptTarget.Latest, false, ts.LanguageVariant.Standard, code);
  let out = '';
  for (let kind = scanner.scan(); kind !== ts.SyntaxKind.EndOfFileToken; kind = scanner.scan()) {
    if (kind !== ts.SyntaxKind.SingleLineCommentTrivia && kind !== ts.SyntaxKind.MultiLineCommentTrivia) out += scanner.getTokenText();
  }
  return out;
}

function specifiersOf(text: string, file: string): string[] {
  const code = file.endsWith('.svelte') ? [...text.matchAll(SCRIPT_BLOCK)].map((m) => m[1] ?? '').join('\n') : text;
  const info = ts.preProcessFile(code, true, true);
  // A worker URL in a comment (an example in a doc comment) is no import.
  const urls = [...withoutComments(code).matchAll(WORKER_URL)].map((m) => m[1] ?? '');
  return [...info.importedFiles.map((f) => f.fileName), ...urls];
}

function resolve(root: string, from: string, specifier: string): string | null {
  const bare = specifier.replace(/[?#].*$/, '');
  const base = path.posix.normalize(path.posix.join(path.posix.dirname(from), bare));
  for (const extension of EXTENSIONS) {
    const candidate = base + extension;
    const absolute = path.join(root, candidate);
    if (fs.existsSync(absolute) && fs.statSync(absolute).isFile()) return candidate;
  }
  return null;
}

/**
 * `aliases`: package specifiers that name a file of this repository (the library's own subpaths, as the
 * server imports `kinetic-mesh/protocol`), so those imports are edges too.
 */
export function readImportGraph(root: string, dirs: readonly string[], aliases: Readonly<Record<string, string>> = {}): ImportGraph {
  const files = dirs.flatMap((dir) => listFiles(root, dir)).sort();
  const edges = new Map<string, string[]>();
  const unresolved: { from: string; specifier: string }[] = [];
  for (const file of files) {
    const targets = new Set<string>();
    for (const specifier of specifiersOf(fs.readFileSync(path.join(root, file), 'utf8'), file)) {
      const aliased = aliases[specifier];
      if (aliased !== undefined) {
        targets.add(aliased);
        continue;
      }
      if (!specifier.startsWith('.')) continue; // a package
      const target = resolve(root, file, specifier);
      if (target && SOURCE.test(target)) targets.add(target);
      else if (target) continue; // an asset (package.json, a stylesheet): not part of the layering
      else unresolved.push({ from: file, specifier });
    }
    edges.set(file, [...targets].sort());
  }
  return { files, edges, unresolved };
}

/** Strongly connected components with more than one file (Tarjan): every import loop, each reported once. */
export function importLoops(graph: ImportGraph): string[][] {
  let index = 0;
  const indexOf = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  const visit = (file: string): void => {
    indexOf.set(file, index);
    low.set(file, index);
    index += 1;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.edges.get(file) ?? []) {
      if (!indexOf.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(file, Math.min(low.get(file) ?? 0, indexOf.get(next) ?? 0));
      }
    }
    if (low.get(file) !== indexOf.get(file)) return;
    const component: string[] = [];
    for (let member = stack.pop(); member !== undefined; member = stack.pop()) {
      onStack.delete(member);
      component.push(member);
      if (member === file) break;
    }
    if (component.length > 1) loops.push(component.sort());
  };
  for (const file of graph.files) if (!indexOf.has(file)) visit(file);
  return loops.sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}
