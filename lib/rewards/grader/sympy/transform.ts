/**
 * sympy `parse_expr` token transformations as MathRuler calls them: `standard_transformations`
 * (auto_symbol, auto_number, factorial_notation; lambda_notation cannot fire and repeated
 * decimals are refused) followed by `implicit_multiplication_application` (split_symbols,
 * implicit_multiplication, implicit_application, function_exponentiation).
 *
 * Ported step by step because they decide how "2x", "xy", "x(x+1)" and "2sqrt(3)" are read.
 */
import { isPyDigit } from '../../../text/py.js';
import type { Token } from './tokenize.js';

class Unsupported extends Error {}

/** Names that `from sympy import *` (plus builtin functions) defines and that are callable. */
const CALLABLE = new Set([
  'Symbol', 'Function', 'Integer', 'Float', 'Number', 'Rational', 'factorial', 'factorial2',
  'sqrt', 'ln', 'li', 're', 'im', 'csc', 'frac', 'ff', 'rf', 'jn', 'yn', 'hn1', 'hn2', 'eye', 'fft',
  'ntt', 'gff', 'fu', 'id', 'all', 'S', 'N', 'E1', 'O', 'Q', 'C',
]);
/** Defined non-callable sympy objects (constants). */
const VALUES = new Set(['pi', 'oo', 'nan', 'zoo', 'I', 'E']);
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def',
  'del', 'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is',
  'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);
/** Lower-case names X with a Unicode character "GREEK SMALL LETTER X" (never split). */
const GREEK = new Set([
  'alpha', 'beta', 'chi', 'delta', 'digamma', 'epsilon', 'eta', 'gamma', 'heta', 'iota', 'kappa',
  'koppa', 'lamda', 'mu', 'nu', 'omega', 'omicron', 'phi', 'pi', 'psi', 'rho', 'sampi', 'san', 'sho',
  'sigma', 'stigma', 'tau', 'theta', 'upsilon', 'xi', 'zeta',
]);

/** True for names defined in sympy's parse namespace. */
export function isKnownName(name: string): boolean {
  return CALLABLE.has(name) || VALUES.has(name);
}

interface Applied { fn: Token; args: Token[] }
type Item = Token | Applied | Item[];

const isApplied = (t: Item): t is Applied => !Array.isArray(t) && typeof t === 'object' && 'fn' in t;
const isGroup = (t: Item): t is Item[] => Array.isArray(t) && (t.length === 0 || typeof t[0] !== 'string');
const isTok = (t: Item): t is Token => Array.isArray(t) && typeof t[0] === 'string';
const type = (t: Item): string => (isTok(t) ? t[0] : 'APPLIED');
const val = (t: Item): string => (isTok(t) ? t[1] : '');
const is = (t: Item | undefined, ty: string, v?: string) => t !== undefined && isTok(t) && t[0] === ty && (v === undefined || t[1] === v);
const callable = (t: Item) => isTok(t) && CALLABLE.has(t[1]);

function autoSymbol(tokens: Token[]): Token[] {
  const out: Token[] = [];
  let prev: Token = ['ENDMARKER', ''];
  const toks = [...tokens, ['ENDMARKER', ''] as Token];
  for (let k = 0; k + 1 < toks.length; k++) {
    const [ty, v] = toks[k]!;
    const next = toks[k + 1]!;
    if (ty === 'NAME') {
      if (KEYWORDS.has(v) || (prev[0] === 'OP' && prev[1] === '.') ||
          (prev[0] === 'OP' && (prev[1] === '(' || prev[1] === ',') && next[0] === 'OP' && next[1] === '=')) {
        out.push([ty, v]);
        continue;
      }
      if (isKnownName(v)) { out.push([ty, v]); continue; }
      out.push(['NAME', next[1] !== '(' ? 'Symbol' : 'Function'], ['OP', '('], ['NAME', `'${v}'`], ['OP', ')']);
    } else out.push([ty, v]);
    prev = [ty, v];
  }
  return out;
}

function autoNumber(tokens: Token[]): Token[] {
  const out: Token[] = [];
  for (const [ty, v] of tokens) {
    if (ty !== 'NUMBER') { out.push([ty, v]); continue; }
    let n = v;
    const post: Token[] = [];
    if (/[jJ]$/.test(n)) { n = n.slice(0, -1); post.push(['OP', '*'], ['NAME', 'I']); }
    if (n.includes('.') || (/[eE]/.test(n) && !/^0[xX]/.test(n))) out.push(['NAME', 'Float'], ['OP', '('], ['NUMBER', `'${n}'`], ['OP', ')']);
    else out.push(['NAME', 'Integer'], ['OP', '('], ['NUMBER', n], ['OP', ')']);
    out.push(...post);
  }
  return out;
}

function addFactorial(name: string, result: Token[]): Token[] {
  if (result.length === 0 || val(result[result.length - 1]!) === '(') throw new Unsupported('factorial');
  let diff = 0;
  for (let i = result.length - 1; i >= 0; i--) {
    const v = result[i]![1];
    if (v === ')') diff += 1;
    else if (v === '(') diff -= 1;
    if (diff === 0) {
      const at = i - 1 >= 0 && result[i - 1]![0] === 'NAME' ? i - 1 : i;
      return [...result.slice(0, at), ['NAME', name], ['OP', '('], ...result.slice(at), ['OP', ')']];
    }
  }
  return result;
}

function factorialNotation(tokens: Token[]): Token[] {
  let out: Token[] = [];
  let n = 0;
  for (const [ty, v] of tokens) {
    if (ty === 'ERRORTOKEN') {
      if (v === '!') n += 1;
      else { n = 0; out.push(['OP', v]); }
      continue;
    }
    if (n === 1) out = addFactorial('factorial', out);
    else if (n === 2) out = addFactorial('factorial2', out);
    else if (n > 2) throw new Unsupported('!!!');
    n = 0;
    out.push([ty, v]);
  }
  return out;
}

function splitSymbols(tokens: Token[]): Token[] {
  const out: Token[] = [];
  let split = false;
  let skipNext = false;
  for (const tok of tokens) {
    if (skipNext) { skipNext = false; continue; }
    if (tok[0] === 'NAME' && (tok[1] === 'Symbol' || tok[1] === 'Function')) split = true;
    else if (split && tok[0] === 'NAME') {
      const name = tok[1].slice(1, -1);
      if (!name.includes('_') && !GREEK.has(name.toLowerCase()) && Array.from(name).length > 1) {
        out.splice(-2, 2);
        const chars = Array.from(name);
        for (let i = 0; i < chars.length; i++) {
          const ch = chars[i]!;
          if (isKnownName(ch)) out.push(['NAME', ch]);
          else if (isPyDigit(ch)) {
            let digits = ch;
            while (i + 1 < chars.length && isPyDigit(chars[i + 1]!)) digits += chars[++i];
            out.push(['NAME', 'Number'], ['OP', '('], ['NAME', `'${digits}'`], ['OP', ')']);
          } else out.push(['NAME', 'Symbol'], ['OP', '('], ['NAME', `'${ch}'`], ['OP', ')']);
        }
        split = false;
        skipNext = true;
        continue;
      }
      split = false;
    }
    out.push(tok);
  }
  return out;
}

function groupParentheses(tokens: Item[], recurse: (t: Item[]) => Item[]): Item[] {
  const out: Item[] = [];
  const stacks: Item[][] = [];
  for (const tok of tokens) {
    if (is(tok, 'OP', '(')) stacks.push([]);
    else if (is(tok, 'OP', ')')) {
      if (stacks.length === 0) throw new Unsupported('unbalanced )');
      stacks[stacks.length - 1]!.push(tok);
      const stack = stacks.pop()!;
      if (stacks.length > 0) stacks[stacks.length - 1]!.push(...stack);
      else out.push([stack[0]!, ...recurse(stack.slice(1, -1)), stack[stack.length - 1]!] as Item[]);
      continue;
    }
    if (stacks.length) stacks[stacks.length - 1]!.push(tok);
    else out.push(tok);
  }
  if (stacks.length) throw new Unsupported('unbalanced (');
  return out;
}

function applyFunctions(tokens: Item[]): Item[] {
  const out: Item[] = [];
  let symbol: Token | null = null;
  for (const tok of tokens) {
    if (isGroup(tok)) {
      if (symbol && callable(symbol)) { out[out.length - 1] = { fn: symbol, args: tok as Token[] }; symbol = null; }
      else out.push(...tok);
    } else if (type(tok) === 'NAME') { symbol = tok as Token; out.push(tok); }
    else { symbol = null; out.push(tok); }
  }
  return out;
}

function flatten(items: Item[]): Token[] {
  const out: Token[] = [];
  for (const t of items) {
    if (isApplied(t)) out.push(t.fn, ...t.args);
    else out.push(t as Token);
  }
  return out;
}

function implicitMultiplicationStep(tokens: Item[]): Item[] {
  const out: Item[] = [];
  let skip = false;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const tok = tokens[k]!;
    const next = tokens[k + 1]!;
    out.push(tok);
    if (skip) { skip = false; continue; }
    if (is(tok, 'OP', '.') && type(next) === 'NAME') { skip = true; continue; }
    if (isApplied(tok)) {
      if (isApplied(next)) out.push(['OP', '*']);
      else if (is(next, 'OP', '(')) {
        if (tok.fn[1] === 'Function') tok.fn = ['NAME', 'Symbol'];
        out.push(['OP', '*']);
      } else if (type(next) === 'NAME') out.push(['OP', '*']);
    } else if (is(tok, 'OP', ')')) {
      if (isApplied(next) || type(next) === 'NAME' || is(next, 'OP', '(')) out.push(['OP', '*']);
    } else if (type(tok) === 'NAME' && !callable(tok)) {
      if (isApplied(next) || (type(next) === 'NAME' && callable(next)) || is(next, 'OP', '(') || type(next) === 'NAME') out.push(['OP', '*']);
    }
  }
  if (tokens.length) out.push(tokens[tokens.length - 1]!);
  return out;
}

function implicitApplicationStep(tokens: Item[]): Item[] {
  const out: Item[] = [];
  let appendParen = 0;
  let skip = 0;
  let exponentSkip = false;
  for (let k = 0; k + 1 < tokens.length; k++) {
    const tok = tokens[k]!;
    const next = tokens[k + 1]!;
    out.push(tok);
    if (type(tok) === 'NAME' && !['OP', 'ENDMARKER', 'NEWLINE'].includes(type(next))) {
      if (callable(tok)) { out.push(['OP', '(']); appendParen += 1; }
    } else if (type(tok) === 'NAME' && is(next, 'OP', '**')) {
      if (callable(tok)) exponentSkip = true;
    } else if (exponentSkip) {
      if (isApplied(tok) || is(tok, 'OP', '*')) {
        if (!is(next, 'OP', '*')) {
          if (!is(next, 'OP', '(')) { out.push(['OP', '(']); appendParen += 1; }
          exponentSkip = false;
        }
      }
    } else if (appendParen) {
      if (type(next) === 'OP' && ['^', '**', '*'].includes(val(next))) { skip = 1; continue; }
      if (skip) { skip -= 1; continue; }
      out.push(['OP', ')']);
      appendParen -= 1;
    }
  }
  if (tokens.length) out.push(tokens[tokens.length - 1]!);
  for (; appendParen > 0; appendParen--) out.push(['OP', ')']);
  return out;
}

function implicitMultiplication(tokens: Item[]): Item[] {
  return flatten(implicitMultiplicationStep(applyFunctions(groupParentheses(tokens, implicitMultiplication))));
}

function implicitApplication(tokens: Item[]): Item[] {
  return flatten(implicitApplicationStep(applyFunctions(groupParentheses(tokens, implicitApplication))));
}

function functionExponentiation(tokens: Token[]): Token[] {
  const out: Token[] = [];
  let exponent: Token[] = [];
  let consuming = false;
  let level = 0;
  for (let k = 0; k + 1 < tokens.length; k++) {
    let tok = tokens[k]!;
    const next = tokens[k + 1]!;
    if (tok[0] === 'NAME' && next[0] === 'OP' && next[1] === '**') {
      if (callable(tok)) consuming = true;
    } else if (consuming) {
      if (tok[0] === 'NAME' && tok[1] === 'Function') tok = ['NAME', 'Symbol'];
      exponent.push(tok);
      if (tok[0] === 'OP' && next[0] === 'OP' && tok[1] === ')' && next[1] === '(') consuming = false;
      if (tok[0] === 'OP' && next[0] === 'OP' && tok[1] === '*' && next[1] === '(') { consuming = false; exponent.pop(); }
      continue;
    } else if (exponent.length && !consuming) {
      if (tok[0] === 'OP') {
        if (tok[1] === '(') level += 1;
        else if (tok[1] === ')') level -= 1;
      }
      if (level === 0) { out.push(tok, ...exponent); exponent = []; continue; }
    }
    out.push(tok);
  }
  if (tokens.length) out.push(tokens[tokens.length - 1]!);
  out.push(...exponent);
  return out;
}

/** All of parse_expr's transformations; null where sympy would raise (or a case left unported). */
export function transformTokens(tokens: Token[]): Token[] | null {
  try {
    if (tokens.some((t) => t[0] === 'OP' && (t[1] === '[' || t[1] === ']'))) return null; // repeated decimals / lists
    let t = factorialNotation(autoNumber(autoSymbol(tokens)));
    t = splitSymbols(t);
    t = implicitMultiplication(t) as Token[];
    t = implicitApplication(t) as Token[];
    return functionExponentiation(t);
  } catch (e) {
    if (e instanceof Unsupported) return null;
    throw e;
  }
}
