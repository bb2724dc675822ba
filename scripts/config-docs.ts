/**
 * Writes docs/config.md, the configuration reference, from the zod schemas (lib/config/reference.ts).
 * A key's description is its `.describe()` text plus the comment written beside (or just above)
 * the key in lib/config/*.ts, found with the TypeScript parser.
 *
 *   npx tsx scripts/config-docs.ts          write docs/config.md
 *   npx tsx scripts/config-docs.ts --check  exit 1 when docs/config.md is out of date
 *
 * test/infra/docs.test.ts fails when the committed file differs from what this prints.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { renderConfigReference, type SchemaSite } from '../lib/config/reference.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CONFIG_SOURCES = ['lib/config/common.ts', 'lib/config/train.ts', 'lib/config/sft.ts'];
export const CONFIG_DOC = 'docs/config.md';
export const REGENERATE_COMMAND = 'npx tsx scripts/config-docs.ts';

const OBJECT_FACTORIES = new Set(['strictObject', 'object', 'looseObject']);

/** Comments of a key, source address `Owner.inline.key` -> text; `spread` holds the keys of functions and plain records (spread into schemas). */
export interface SourceNotes {
  byAddress: Map<string, string>;
  spread: Map<string, string[]>;
}

function commentText(text: string, ranges: readonly ts.CommentRange[] | undefined): string[] {
  return (ranges ?? []).map((r) => {
    const raw = text.slice(r.pos, r.end);
    return r.kind === ts.SyntaxKind.SingleLineCommentTrivia
      ? raw.replace(/^\/\/\s?/, '').trim()
      : raw.replace(/^\/\*\*?|\*\/$/g, '').split('\n').map((l) => l.replace(/^\s*\*\s?/, '').trim()).join(' ').trim();
  }).filter((x) => x.length > 0);
}

/** The declaration an object literal belongs to and its path inside it, or null for other literals (call arguments, defaults). */
function addressOf(obj: ts.ObjectLiteralExpression): { address: string[]; spread: boolean } | null {
  let n: ts.Node = obj;
  const parent = n.parent;
  if (ts.isCallExpression(parent)) {
    const callee = parent.expression;
    if (!(ts.isPropertyAccessExpression(callee) && OBJECT_FACTORIES.has(callee.name.text) && parent.arguments[0] === obj)) return null;
    n = parent;
    // Climb the method chain: z.strictObject({...}).nullable().default(null)
    while ((ts.isPropertyAccessExpression(n.parent) && n.parent.expression === n) || (ts.isCallExpression(n.parent) && n.parent.expression === n)) n = n.parent;
  }
  const p = n.parent;
  if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) return { address: [p.name.text], spread: !ts.isCallExpression(n) };
  if (ts.isPropertyAssignment(p) && ts.isObjectLiteralExpression(p.parent)) {
    const up = addressOf(p.parent);
    return up ? { address: [...up.address, p.name.getText()], spread: up.spread } : null;
  }
  if (ts.isReturnStatement(p)) {
    let f: ts.Node = p;
    while (f && !ts.isFunctionDeclaration(f)) f = f.parent;
    return f && (f as ts.FunctionDeclaration).name ? { address: [(f as ts.FunctionDeclaration).name!.text], spread: true } : null;
  }
  return null;
}

/** Reads the comment of every key of every schema object literal in `files`. */
export function readSourceNotes(files: readonly string[] = CONFIG_SOURCES): SourceNotes {
  const byAddress = new Map<string, string>();
  const spread = new Map<string, string[]>();
  for (const file of files) {
    const text = readFileSync(path.join(ROOT, file), 'utf8');
    const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
    const visit = (n: ts.Node): void => {
      if (ts.isObjectLiteralExpression(n)) {
        const at = addressOf(n);
        if (at) {
          for (const prop of n.properties) {
            // Keys whose value is a schema (a call or a schema's name), not the literals of hint tables.
            if (!ts.isPropertyAssignment(prop) || !(ts.isCallExpression(prop.initializer) || ts.isIdentifier(prop.initializer) || ts.isPropertyAccessExpression(prop.initializer))) continue;
            let end = prop.end;
            if (text[end] === ',') end += 1;
            const note = [...commentText(text, ts.getLeadingCommentRanges(text, prop.getFullStart())), ...commentText(text, ts.getTrailingCommentRanges(text, end))].join(' ');
            const key = prop.name.getText(sf);
            if (note) byAddress.set([...at.address, key].join('.'), note);
            if (at.spread && at.address.length === 1) spread.set(key, [...(spread.get(key) ?? []), at.address[0]!]);
          }
        }
      }
      ts.forEachChild(n, visit);
    };
    visit(sf);
  }
  return { byAddress, spread };
}

/** The source comment of a key: at its own declaration, at an object it was copied from, or in the one spread source that declares it. */
export function noteFor(notes: SourceNotes, site: SchemaSite): string | undefined {
  for (const owner of [site.owner, ...site.alsoDeclaredIn]) {
    const hit = notes.byAddress.get([...owner, site.key].join('.'));
    if (hit) return hit;
  }
  const sources = notes.spread.get(site.key) ?? [];
  return sources.length === 1 ? notes.byAddress.get(`${sources[0]}.${site.key}`) : undefined;
}

/** The text docs/config.md must hold. */
export function configDocText(): string {
  const notes = readSourceNotes();
  return renderConfigReference({ note: (site) => noteFor(notes, site) });
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const text = configDocText();
  const target = path.join(ROOT, CONFIG_DOC);
  if (process.argv.includes('--check')) {
    let current = '';
    try { current = readFileSync(target, 'utf8'); } catch { /* missing counts as out of date */ }
    if (current !== text) {
      console.error(`${CONFIG_DOC} is out of date; run: ${REGENERATE_COMMAND}`);
      process.exit(1);
    }
    console.log(`${CONFIG_DOC} is up to date`);
  } else {
    writeFileSync(target, text);
    console.log(`wrote ${CONFIG_DOC} (${text.split('\n').length} lines)`);
  }
}
