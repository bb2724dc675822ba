/**
 * A LaTeX node parser with pylatexenc 2.x `LatexWalker` semantics in tolerant mode: the subset
 * MathRuler reaches through `LatexNodes2Text().latex_to_text` when an answer contains a backslash.
 *
 * Positions index code points (Python strings), not UTF-16 units. `$` and `%` never reach this
 * parser (MathRuler's `_normalize` deletes them first), so comments and dollar math are omitted.
 */
import { isPyAlpha, isPySpace, PY_WS_CLASS } from '../../text/py.js';
import { WALKER_ENV_ARGS, WALKER_MACRO_ARGS, WALKER_OPTARG_NO_SPACE, WALKER_SPECIALS } from './latex_specs.js';

/** Parsed arguments of a macro or environment (`argnlist` has null for absent optional args). */
export interface ParsedArgs {
  argspec: string;
  argnlist: (LNode | null)[];
}

/** A node of the parsed LaTeX tree. */
export type LNode =
  | { kind: 'chars'; chars: string }
  | { kind: 'group'; nodes: LNode[] }
  | { kind: 'macro'; name: string; argd: ParsedArgs | null; postSpace: string; optArg: LNode | null; args: LNode[] | null }
  | { kind: 'env'; name: string; nodes: LNode[]; argd: ParsedArgs | null }
  | { kind: 'specials'; chars: string }
  | { kind: 'math'; display: boolean; nodes: LNode[] };

type TokKind = 'char' | 'macro' | 'math_inline' | 'math_display' | 'begin_env' | 'end_env' | 'brace_open' | 'brace_close' | 'specials';
interface Tok { kind: TokKind; arg: string; pos: number; len: number; pre: string; post: string }

class EndOfStream { constructor(readonly finalSpace = '') {} }
class ParseError { constructor(readonly msg: string) {} }

const ENV_RE = new RegExp(`^[${PY_WS_CLASS}]*\\{([\\p{L}\\p{N}_* .\\-]+)\\}`, 'u');

/** pylatexenc's `ParsedMacroArgs._get_legacy_attribs`: (nodeoptarg, nodeargs). */
function legacy(argd: ParsedArgs): [LNode | null, LNode[]] {
  let spec = argd.argspec;
  let skip = 0;
  while (spec.startsWith('*')) { spec = spec.slice(1); skip++; }
  if (spec.startsWith('[') && [...spec.slice(1)].every((c) => c === '{')) {
    return [argd.argnlist[skip] ?? null, argd.argnlist.slice(skip + 1) as LNode[]];
  }
  return [null, argd.argnlist as LNode[]];
}

/** Parses `latex` into nodes the way `LatexWalker(latex).get_latex_nodes()[0]` does. */
export function parseLatex(latex: string): LNode[] {
  return new Walker(Array.from(latex)).nodes(0, null, null, null).nodes;
}

class Walker {
  constructor(private readonly s: string[]) {}

  private token(pos: number, braces: [string, string][] = [], environments = true): Tok {
    const s = this.s;
    let space = '';
    while (pos < s.length && isPySpace(s[pos]!)) {
      space += s[pos];
      pos++;
      if (space.endsWith('\n\n')) return { kind: 'char', arg: '\n\n', pos: pos - 2, len: 2, pre: space.slice(0, -2), post: '' };
    }
    if (pos >= s.length) throw new EndOfStream(space);
    const c = s[pos]!;
    if (c === '\\') {
      if (pos + 1 >= s.length) throw new EndOfStream();
      let macro = s[pos + 1]!;
      let i = 2;
      const alpha = isPyAlpha(macro);
      if (alpha) while (pos + i < s.length && isPyAlpha(s[pos + i]!)) macro += s[pos + i++];
      if (macro === '[' || macro === ']') return { kind: 'math_display', arg: '\\' + macro, pos, len: i, pre: space, post: '' };
      if (macro === '(' || macro === ')') return { kind: 'math_inline', arg: '\\' + macro, pos, len: i, pre: space, post: '' };
      if (environments && (macro === 'begin' || macro === 'end')) {
        const m = ENV_RE.exec(s.slice(pos + i).join(''));
        if (!m) return { kind: 'char', arg: '\\' + macro, pos, len: i, pre: space, post: '' };
        return { kind: macro === 'begin' ? 'begin_env' : 'end_env', arg: m[1]!, pos, len: i + Array.from(m[0]).length, pre: space, post: '' };
      }
      let post = '';
      if (alpha) {
        while (pos + i < s.length && isPySpace(s[pos + i]!)) {
          post += s[pos + i++];
          if (post.endsWith('\n\n')) { post = post.slice(0, -2); i -= 2; break; }
        }
      }
      return { kind: 'macro', arg: macro, pos, len: i, pre: space, post };
    }
    const all: [string, string][] = [['{', '}'], ...braces];
    if (all.some(([o]) => o === c)) return { kind: 'brace_open', arg: c, pos, len: 1, pre: space, post: '' };
    if (all.some(([, cl]) => cl === c)) return { kind: 'brace_close', arg: c, pos, len: 1, pre: space, post: '' };
    let best = '';
    for (const sp of WALKER_SPECIALS) {
      if (sp.length > best.length && s.slice(pos, pos + sp.length).join('') === sp) best = sp;
    }
    if (best) return { kind: 'specials', arg: best, pos, len: Array.from(best).length, pre: space, post: '' };
    return { kind: 'char', arg: c, pos, len: 1, pre: space, post: '' };
  }

  /** `get_latex_expression`: one TeX token or a braced group, as a macro argument. */
  private expression(pos: number): { node: LNode; pos: number; len: number } {
    const t = this.token(pos, [], false);
    switch (t.kind) {
      case 'macro':
        if (t.arg === 'end') return { node: { kind: 'chars', chars: '' }, pos: t.pos, len: 0 };
        return { node: { kind: 'macro', name: t.arg, argd: null, postSpace: t.post, optArg: null, args: null }, pos: t.pos, len: t.len };
      case 'specials': return { node: { kind: 'specials', chars: t.arg }, pos: t.pos, len: t.len };
      case 'brace_open': return this.group(t.pos, '{', '}');
      case 'brace_close': return { node: { kind: 'chars', chars: '' }, pos: t.pos, len: 0 };
      case 'char': return { node: { kind: 'chars', chars: t.arg }, pos: t.pos, len: t.len };
      case 'math_inline':
      case 'math_display':
        return { node: { kind: 'macro', name: t.arg, argd: null, postSpace: '', optArg: null, args: null }, pos: t.pos, len: t.len };
      default: throw new ParseError(`unexpected token ${t.kind}`);
    }
  }

  private group(pos: number, open: string, close: string): { node: LNode; pos: number; len: number } {
    const first = this.token(pos, open === '{' ? [] : [[open, close]]);
    if (first.kind !== 'brace_open' || first.arg !== open) throw new ParseError('not an opening brace');
    const r = this.nodes(first.pos + first.len, [open, close], null, null);
    return { node: { kind: 'group', nodes: r.nodes }, pos: first.pos, len: r.pos + r.len - first.pos };
  }

  /** MacroStandardArgsParser.parse_args; throws EndOfStream/ParseError like the original. */
  private args(argspec: string, pos: number, optNoSpace = false): { argd: ParsedArgs; end: number } {
    const argnlist: (LNode | null)[] = [];
    let p = pos;
    for (const a of argspec) {
      if (a === '{') {
        const r = this.expression(p);
        p = r.pos + r.len;
        argnlist.push(r.node);
      } else if (a === '[') {
        if (optNoSpace && p < this.s.length && isPySpace(this.s[p]!)) { argnlist.push(null); continue; }
        let t: Tok;
        try { t = this.token(p, [['[', ']']], false); } catch (e) {
          if (e instanceof EndOfStream) { argnlist.push(null); continue; }
          throw e;
        }
        if (t.kind === 'brace_open' && t.arg === '[') {
          const r = this.group(p, '[', ']');
          p = r.pos + r.len;
          argnlist.push(r.node);
        } else argnlist.push(null);
      } else {
        const t = this.token(p);
        if (t.kind === 'char' && t.arg.startsWith('*')) {
          argnlist.push({ kind: 'chars', chars: '*' });
          p = t.pos + 1;
        } else argnlist.push(null);
      }
    }
    return { argd: { argspec, argnlist }, end: p };
  }

  /** `get_latex_nodes` in tolerant mode. Returns the nodes and the span consumed (stop token included). */
  nodes(pos: number, stopBrace: [string, string] | null, stopEnv: string | null, stopMath: string | null): { nodes: LNode[]; pos: number; len: number } {
    const out: LNode[] = [];
    const braces: [string, string][] = stopBrace && stopBrace[1] !== '}' ? [stopBrace] : [];
    const origin = pos;
    let p = pos;
    let lastchars = '';
    const flushTo = (extra: string) => {
      out.push({ kind: 'chars', chars: lastchars + extra });
      lastchars = '';
    };
    const readOne = (): boolean | EndOfStream => {
      let t: Tok;
      try { t = this.token(p, braces); } catch (e) {
        if (e instanceof EndOfStream) return e;
        throw e;
      }
      p = t.pos + t.len;
      if (t.kind === 'char') { lastchars += t.pre + t.arg; return false; }
      if (lastchars.length) flushTo(t.pre);
      else if (t.pre.length) out.push({ kind: 'chars', chars: t.pre });
      switch (t.kind) {
        case 'brace_close':
          if (!stopBrace || t.arg !== stopBrace[1]) throw new ParseError('mismatching closing brace');
          return true;
        case 'end_env':
          if (stopEnv === null || t.arg !== stopEnv) throw new ParseError('unexpected \\end');
          return true;
        case 'math_inline':
        case 'math_display': {
          if (stopMath !== null && t.arg === stopMath) return true;
          if (t.arg === '\\)' || t.arg === '\\]') throw new ParseError('unexpected closing math mode');
          const closing = t.arg === '\\(' ? '\\)' : t.arg === '\\[' ? '\\]' : t.arg;
          const r = this.nodes(p, null, null, closing);
          p = r.pos + r.len;
          out.push({ kind: 'math', display: !(t.arg === '\\(' || t.arg === '$'), nodes: r.nodes });
          return false;
        }
        case 'brace_open': {
          const r = this.group(t.pos, t.arg, t.arg === '[' ? ']' : '}');
          p = r.pos + r.len;
          out.push(r.node);
          return false;
        }
        case 'begin_env': {
          const r = this.environment(t);
          p = r.end;
          out.push(r.node);
          return false;
        }
        case 'macro': {
          const spec = WALKER_MACRO_ARGS.get(t.arg) ?? '';
          let argd: ParsedArgs | null = null;
          let end = t.pos + t.len;
          try {
            const r = this.args(spec, end, WALKER_OPTARG_NO_SPACE.has(t.arg));
            argd = r.argd;
            end = r.end;
          } catch (e) {
            if (!(e instanceof EndOfStream || e instanceof ParseError)) throw e;
          }
          p = end;
          const [optArg, args] = argd ? legacy(argd) : [null, []];
          out.push({ kind: 'macro', name: t.arg, argd, postSpace: t.post, optArg, args });
          return false;
        }
        case 'specials':
          out.push({ kind: 'specials', chars: t.arg });
          return false;
        default:
          throw new ParseError(`unknown token ${t.kind}`);
      }
    };
    for (;;) {
      let r: boolean | EndOfStream;
      try { r = readOne(); } catch (e) {
        if (e instanceof ParseError) r = false;
        else throw e;
      }
      if (r) {
        if (r instanceof EndOfStream) { lastchars += r.finalSpace; p += Array.from(r.finalSpace).length; }
        if (lastchars) flushTo('');
        return { nodes: out, pos: origin, len: p - origin };
      }
    }

  }

  /** `get_latex_environment` from its begin token: arguments, then the body up to the matching end. */
  private environment(first: Tok): { node: LNode; end: number } {
    let pos = first.pos + first.len;
    let argd: ParsedArgs | null = null;
    try {
      const r = this.args(WALKER_ENV_ARGS.get(first.arg) ?? '', pos);
      argd = r.argd;
      pos = r.end;
    } catch (e) {
      if (!(e instanceof EndOfStream || e instanceof ParseError)) throw e;
    }
    const body = this.nodes(pos, null, first.arg, null);
    return { node: { kind: 'env', name: first.arg, nodes: body.nodes, argd }, end: body.pos + body.len };
  }
}
