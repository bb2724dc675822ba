/**
 * Reads the token stream that sympy's transformations produce (Python source such as
 * `Integer (2 )*Symbol ('x' )`) into an expression tree, following Python's grammar for the
 * arithmetic subset. Constructs that make Python/sympy raise, or that the port does not model
 * (comparisons, tuples, attribute access, keywords, bitwise operators), give null.
 */
import type { Token } from './tokenize.js';

/** An expression as sympy would build it from the parsed source. */
export type Ast =
  | { k: 'int'; v: bigint }
  | { k: 'float'; s: string }
  | { k: 'sym'; name: string }
  | { k: 'const'; name: 'pi' | 'I' | 'oo' | 'nan' | 'zoo' }
  | { k: 'add' | 'sub' | 'mul' | 'div' | 'pow'; a: Ast; b: Ast }
  | { k: 'neg'; a: Ast }
  | { k: 'call'; fn: string; args: Ast[] };

class Bad extends Error {}

/** One-argument sympy functions reachable with at most two letters; other callables raise or misbehave. */
const FUNCTIONS = new Set(['sqrt', 'ln', 're', 'im', 'csc', 'factorial', 'factorial2', 'li', 'frac', 'fu']);
const CONSTS = new Set(['pi', 'I', 'oo', 'nan', 'zoo']);

/** Python int literal (decimal, 0x, 0o, 0b, underscores) → bigint. */
function pyInt(lit: string): bigint {
  const t = lit.replace(/_/g, '');
  if (/^0[xX]/.test(t)) return BigInt('0x' + t.slice(2));
  if (/^0[oO]/.test(t)) return BigInt('0o' + t.slice(2));
  if (/^0[bB]/.test(t)) return BigInt('0b' + t.slice(2));
  if (!/^[0-9]+$/.test(t)) throw new Bad(`bad int ${lit}`);
  return BigInt(t);
}

class Parser {
  private i = 0;
  constructor(private readonly t: Token[]) {}

  private peek(): Token | undefined { return this.t[this.i]; }
  private isOp(v: string): boolean { const p = this.peek(); return p !== undefined && p[0] === 'OP' && p[1] === v; }
  private expectOp(v: string): void { if (!this.isOp(v)) throw new Bad(`expected ${v}`); this.i++; }

  parse(): Ast {
    const e = this.arith();
    if (this.i !== this.t.length) throw new Bad('trailing tokens');
    return e;
  }

  private arith(): Ast {
    let a = this.term();
    for (;;) {
      if (this.isOp('+')) { this.i++; a = { k: 'add', a, b: this.term() }; }
      else if (this.isOp('-')) { this.i++; a = { k: 'sub', a, b: this.term() }; }
      else return a;
    }
  }

  private term(): Ast {
    let a = this.factor();
    for (;;) {
      if (this.isOp('*')) { this.i++; a = { k: 'mul', a, b: this.factor() }; }
      else if (this.isOp('/')) { this.i++; a = { k: 'div', a, b: this.factor() }; }
      else return a;
    }
  }

  private factor(): Ast {
    if (this.isOp('-')) { this.i++; return { k: 'neg', a: this.factor() }; }
    if (this.isOp('+')) { this.i++; return this.factor(); }
    return this.power();
  }

  private power(): Ast {
    const a = this.primary();
    if (this.isOp('**')) { this.i++; return { k: 'pow', a, b: this.factor() }; }
    return a;
  }

  private primary(): Ast {
    const tok = this.peek();
    if (!tok) throw new Bad('unexpected end');
    if (tok[0] === 'OP' && tok[1] === '(') {
      this.i++;
      const e = this.arith();
      this.expectOp(')');
      return this.noCall(e);
    }
    if (tok[0] !== 'NAME') throw new Bad(`unexpected ${tok[1]}`);
    this.i++;
    const name = tok[1];
    if (CONSTS.has(name)) return this.noCall({ k: 'const', name: name as 'pi' });
    if (!this.isOp('(')) throw new Bad(`bare name ${name}`);
    this.i++;
    const args: (Ast | Token)[] = [];
    if (!this.isOp(')')) {
      for (;;) {
        const p = this.peek();
        const literal = p && (p[0] === 'NUMBER' || (p[0] === 'NAME' && p[1].startsWith("'")));
        if (literal && this.t[this.i + 1]?.[0] === 'OP' && [')', ','].includes(this.t[this.i + 1]![1])) { args.push(p); this.i++; }
        else args.push(this.arith());
        if (this.isOp(',')) { this.i++; continue; }
        break;
      }
    }
    this.expectOp(')');
    return this.noCall(this.call(name, args));
  }

  /** Calling the result of a call or a parenthesised value raises TypeError in Python. */
  private noCall(e: Ast): Ast {
    if (this.isOp('(') || this.isOp('.') || this.isOp('[')) throw new Bad('call on a value');
    return e;
  }

  private call(name: string, args: (Ast | Token)[]): Ast {
    const lit = (x: Ast | Token | undefined): string => {
      if (!Array.isArray(x)) throw new Bad(`${name} expects a literal`);
      return (x as Token)[1];
    };
    if (args.length !== 1) throw new Bad(`${name} with ${args.length} arguments`);
    const arg = args[0]!;
    switch (name) {
      case 'Integer': return { k: 'int', v: pyInt(lit(arg)) };
      case 'Float': {
        const s = lit(arg);
        if (!s.startsWith("'")) throw new Bad('Float of a non-string');
        return { k: 'float', s: s.slice(1, -1) };
      }
      case 'Number': {
        const s = lit(arg).slice(1, -1);
        if (!/^[0-9]+$/.test(s)) throw new Bad(`Number('${s}')`);
        return { k: 'int', v: BigInt(s) };
      }
      case 'Symbol': {
        const s = lit(arg);
        if (!s.startsWith("'")) throw new Bad('Symbol of a non-string');
        return { k: 'sym', name: s.slice(1, -1) };
      }
    }
    if (!FUNCTIONS.has(name) || Array.isArray(arg)) throw new Bad(`unsupported call ${name}`);
    return { k: 'call', fn: name, args: [arg as Ast] };
  }
}

/** Parses transformed tokens (NEWLINE/ENDMARKER included) into an Ast, or null. */
export function parseTokens(tokens: Token[]): Ast | null {
  // Line breaks inside brackets (NL, or a lone '\r' passed on as an operator) are whitespace to Python.
  const body = tokens.filter((t) => t[0] !== 'NL' && t[0] !== 'NEWLINE' && t[0] !== 'ENDMARKER' && !(t[0] === 'OP' && t[1] === '\r'));
  try {
    return new Parser(body).parse();
  } catch (e) {
    if (e instanceof Bad) return null;
    throw e;
  }
}
