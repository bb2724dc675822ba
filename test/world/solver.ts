/**
 * Independent reference for the world tests: parses gold descriptions and questions with its
 * own regular expressions and answers questions from an object list. It shares no code with
 * lib/world (on purpose), so a bug in a family generator shows up as a disagreement.
 */

export interface Obj {
  size: string;
  colour: string;
  shape: string;
  row: string;
}

const ROW_OF: Record<string, string> = { 'at the top': 'top', 'in the middle': 'middle', 'at the bottom': 'bottom' };
const ROW_RANK: Record<string, number> = { top: 0, middle: 1, bottom: 2 };
const OBJ = /^a (small|large) (red|blue|green|yellow|purple) (circle|square|triangle|star|diamond) (at the top|in the middle|at the bottom)$/;

/** Objects of a gold description, left to right. Throws on anything unexpected. */
export function parseDescription(desc: string): Obj[] {
  let m = /^there is 1 shape: (.*)\.$/.exec(desc);
  let parts: string[];
  let n: number;
  if (m) {
    parts = [m[1]!];
    n = 1;
  } else {
    m = /^there are (\d) shapes, from left to right: (.*)\.$/.exec(desc);
    if (!m) throw new Error(`bad description: ${desc}`);
    n = Number(m[1]);
    const body = m[2]!;
    const cut = body.lastIndexOf(' and ');
    parts = [...body.slice(0, cut).split(', '), body.slice(cut + 5)];
  }
  const objs = parts.map((p) => {
    const o = OBJ.exec(p);
    if (!o) throw new Error(`bad object phrase "${p}" in: ${desc}`);
    return { size: o[1]!, colour: o[2]!, shape: o[3]!, row: ROW_OF[o[4]!]! };
  });
  if (objs.length !== n) throw new Error(`description says ${n} shapes but lists ${objs.length}: ${desc}`);
  return objs;
}

function single(objs: Obj[], f: (o: Obj) => boolean, what: string): [Obj, number] {
  const idx = objs.map((o, i) => (f(o) ? i : -1)).filter((i) => i >= 0);
  if (idx.length !== 1) throw new Error(`question names ${what} but the scene has ${idx.length}`);
  return [objs[idx[0]!]!, idx[0]!];
}

const count = (objs: Obj[], f: (o: Obj) => boolean) => objs.filter(f).length;
const yn = (b: boolean) => (b ? 'yes' : 'no');
const unplural = (s: string) => s.replace(/s$/, '');

/** The answer to a world question over objects listed left to right. Throws when ill-posed. */
export function solve(question: string, objs: Obj[]): string {
  let m: RegExpExecArray | null;
  if ((m = /^how many (\w+) shapes are there\?$/.exec(question))) return String(count(objs, (o) => o.colour === m![1]));
  if ((m = /^how many (\w+) are there\?$/.exec(question))) return String(count(objs, (o) => o.shape === unplural(m![1]!)));
  if ((m = /^what colour is the (leftmost|rightmost) shape\?$/.exec(question))) {
    if (objs.length < 2) throw new Error('extreme question with one object');
    return (m[1] === 'leftmost' ? objs[0]! : objs[objs.length - 1]!).colour;
  }
  if ((m = /^what colour is the (\w+)\?$/.exec(question))) return single(objs, (o) => o.shape === m![1], `one ${m[1]}`)[0].colour;
  if ((m = /^which shape is (\w+)\?$/.exec(question))) return single(objs, (o) => o.colour === m![1], `one ${m[1]} object`)[0].shape;
  if ((m = /^is there a (\w+) (\w+)\?$/.exec(question))) return yn(count(objs, (o) => o.colour === m![1] && o.shape === m![2]) > 0);
  if ((m = /^is the (\w+) (\w+) (left of|right of|above|below) the (\w+) (\w+)\?$/.exec(question))) {
    const [a, ia] = single(objs, (o) => o.colour === m![1] && o.shape === m![2], `one ${m[1]} ${m[2]}`);
    const [b, ib] = single(objs, (o) => o.colour === m![4] && o.shape === m![5], `one ${m[4]} ${m[5]}`);
    if (m[3] === 'left of') return yn(ia < ib);
    if (m[3] === 'right of') return yn(ia > ib);
    if (a.row === b.row) throw new Error('above/below asked for objects in one band');
    return yn(m[3] === 'above' ? ROW_RANK[a.row]! < ROW_RANK[b.row]! : ROW_RANK[a.row]! > ROW_RANK[b.row]!);
  }
  if ((m = /^are there more (\w+) shapes than (\w+) shapes\?$/.exec(question)))
    return yn(count(objs, (o) => o.colour === m![1]) > count(objs, (o) => o.colour === m![2]));
  if ((m = /^are there more (\w+) than (\w+)\?$/.exec(question)))
    return yn(count(objs, (o) => o.shape === unplural(m![1]!)) > count(objs, (o) => o.shape === unplural(m![2]!)));
  if ((m = /^which is bigger, the (\w+) shape or the (\w+) shape\?$/.exec(question))) {
    const [a] = single(objs, (o) => o.colour === m![1], `one ${m[1]} shape`);
    const [b] = single(objs, (o) => o.colour === m![2], `one ${m[2]} shape`);
    if (a.size === b.size) throw new Error('bigger asked for objects of one size');
    return a.size === 'large' ? a.colour : b.colour;
  }
  if ((m = /^how many (\w+) shapes would there be if (\d) more (\w+) (\w+) were added\?$/.exec(question))) {
    if (m[1] !== m[3]) throw new Error('added shapes of another colour');
    return String(count(objs, (o) => o.colour === m![1]) + Number(m[2]));
  }
  if ((m = /^how many shapes are (\w+) or (\w+)\?$/.exec(question))) return String(count(objs, (o) => o.colour === m![1] || o.colour === m![2]));
  if ((m = /^how many shapes would remain if the (\w+) shapes were removed\?$/.exec(question)))
    return String(objs.length - count(objs, (o) => o.colour === m![1]));
  throw new Error(`unknown question form: ${question}`);
}
