/**
 * Answer judges (docs/method.md, "Evaluation"): a model asked whether an open answer means the
 * same as the gold answer, and whether a description alone answers the question with the gold
 * answer (the self-containment test). A judge is any text-in, text-out chat: an
 * OpenAI-compatible chat-completions endpoint (here) or the policy itself (policy_judge.ts).
 *
 * Unlike the reference, whose API errors counted as correct, a failed or unreadable judgement is
 * 'unjudged', and the grading counts it as wrong.
 */
import { buildAnswerJudgePrompt, buildDescriptionJudgePrompt } from '../prompts/judge.js';
import { finalAnswer } from './mcq.js';

export type VerdictLabel = 'correct' | 'wrong' | 'unjudged';

export interface Verdict {
  label: VerdictLabel;
  /** Why: the parsed judgement, or what went wrong (HTTP status, timeout, unreadable reply). */
  reason: string;
  /** The judge's reply text, when there was one. */
  reply?: string;
}

export interface Judge {
  /** For reports: 'http <model> at <url>' or 'policy'. */
  readonly name: string;
  /** How many judgements may be asked at once. */
  readonly concurrency: number;
  /** Does `response` (its last `\boxed{}`, else its text) answer `question` with `gold`? */
  judgeAnswer(question: string, gold: string, response: string): Promise<Verdict>;
  /** Does `description` alone answer `question`, and with `gold`? */
  judgeDescription(question: string, description: string, gold: string): Promise<Verdict>;
}

/** One chat turn: the reply text, or why there is none. */
export type ChatReply = { ok: true; text: string } | { ok: false; reason: string };
export type ChatFn = (userText: string) => Promise<ChatReply>;

const WORDS_FOR_A_BARE_VERDICT = 12;

/**
 * The verdict in a judge's reply: the last `<judgment>…</judgment>`, else the last
 * `Verdict:`/`Judgment:` line, else a short reply (or its short last line) as a whole. In that
 * text, incorrect / wrong / not correct / false / no mean wrong and correct / yes / true / right
 * mean correct; both, neither, a double negative or a long unmarked reply are 'unjudged'.
 */
export function parseVerdict(reply: string): { label: VerdictLabel; reason: string } {
  const tags = [...reply.matchAll(/<judge?ment>([\s\S]*?)<\/judge?ment>/gi)];
  let part: string | null = tags.length ? tags[tags.length - 1][1] : null;
  if (part === null) {
    const lines = [...reply.matchAll(/(?:verdict|judge?ment)\s*[:：]\s*([^\n]*)/gi)];
    if (lines.length) part = lines[lines.length - 1][1];
  }
  if (part === null) {
    const words = (s: string) => s.trim().split(/\s+/).filter(Boolean).length;
    const last = reply.trim().split('\n').pop() ?? '';
    if (words(reply) <= WORDS_FOR_A_BARE_VERDICT) part = reply;
    else if (words(last) <= WORDS_FOR_A_BARE_VERDICT) part = last;
    else return { label: 'unjudged', reason: 'no verdict marked in a long reply' };
  }
  const t = ` ${part.toLowerCase().replace(/[^a-z']+/g, ' ')} `;
  if (/\bnot (?:wrong|incorrect|false)\b/.test(t)) return { label: 'unjudged', reason: `double negative: "${part.trim()}"` };
  const wrongRe = /\b(?:incorrect|wrong|false|no|not correct|not right)\b/g;
  const wrong = wrongRe.test(t);
  const correct = /\b(?:correct|yes|true|right)\b/.test(t.replace(wrongRe, ' '));
  if (wrong && correct) return { label: 'unjudged', reason: `both verdicts in "${part.trim()}"` };
  if (wrong) return { label: 'wrong', reason: `judge: ${part.trim()}` };
  if (correct) return { label: 'correct', reason: `judge: ${part.trim()}` };
  return { label: 'unjudged', reason: `no verdict in "${part.trim().slice(0, 80)}"` };
}

async function ask(chat: ChatFn, prompt: string): Promise<Verdict> {
  let r: ChatReply;
  try {
    r = await chat(prompt);
  } catch (e) {
    return { label: 'unjudged', reason: `judge failed: ${(e as Error).message}` };
  }
  if (!r.ok) return { label: 'unjudged', reason: r.reason };
  return { ...parseVerdict(r.text), reply: r.text };
}

/** A judge over any chat function, with the prompts of lib/prompts/judge.ts. */
export function chatJudge(name: string, chat: ChatFn, concurrency = 1): Judge {
  return {
    name,
    concurrency,
    judgeAnswer: (question, gold, response) => ask(chat, buildAnswerJudgePrompt(question, gold, finalAnswer(response))),
    judgeDescription: (question, description, gold) => ask(chat, buildDescriptionJudgePrompt(question, description, gold)),
  };
}

export interface HttpJudgeOptions {
  /** Base URL; requests go to `{url}/chat/completions` (e.g. https://api.openai.com/v1). */
  url: string;
  model: string;
  /** Sent as `Authorization: Bearer <key>`; none is sent when null or empty. */
  apiKey?: string | null;
  /** Per attempt, covering the whole reply (default 30 000 ms). */
  timeoutMs?: number;
  /** Further attempts after a 5xx, 429, network error or timeout (default 2). */
  retries?: number;
  /** Wait before retry k: retryDelayMs * k (default 500 ms). */
  retryDelayMs?: number;
  /** max_tokens of the request; absent = the server's default. */
  maxTokens?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
}

/** The API key from environment variable `name` (null when unset or empty). */
export function apiKeyFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): string | null {
  const v = env[name];
  return v === undefined || v === '' ? null : v;
}

/** The reply text of a chat-completions body, or why it has none. */
function replyText(body: unknown): ChatReply {
  const msg = (body as { choices?: Array<{ message?: { content?: unknown } }> } | null)?.choices?.[0]?.message;
  const c = msg?.content;
  if (typeof c === 'string') return { ok: true, text: c };
  // Some servers send content as parts: [{type: 'text', text}].
  if (Array.isArray(c) && c.every((p) => typeof p?.text === 'string')) return { ok: true, text: c.map((p) => p.text).join('') };
  return { ok: false, reason: 'reply has no choices[0].message.content text' };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * POSTs `{model, messages: [{role: 'user', content}], temperature: 0}` to `{url}/chat/completions`.
 * 5xx, 429, network errors and timeouts are retried `retries` times; any other HTTP error, a body
 * that is not JSON, or one without a reply text ends in a reason (never a throw).
 */
export function httpChat(o: HttpJudgeOptions): ChatFn {
  const endpoint = `${o.url.replace(/\/+$/, '')}/chat/completions`;
  const timeoutMs = o.timeoutMs ?? 30_000, retries = o.retries ?? 2, delay = o.retryDelayMs ?? 500;
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (o.apiKey) headers.authorization = `Bearer ${o.apiKey}`;
  return async (userText) => {
    const body = JSON.stringify({ model: o.model, messages: [{ role: 'user', content: userText }], temperature: 0, ...(o.maxTokens ? { max_tokens: o.maxTokens } : {}) });
    let why = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0 && delay > 0) await sleep(delay * attempt);
      const tag = `${attempt + 1} attempt(s)`;
      let res: Response;
      let text: string;
      try {
        res = await fetch(endpoint, { method: 'POST', headers, body, signal: AbortSignal.timeout(timeoutMs) });
        text = await res.text();
      } catch (e) {
        const err = e as Error;
        why = err.name === 'TimeoutError' || err.name === 'AbortError' ? `timed out after ${timeoutMs} ms` : `network error: ${err.message}${err.cause ? ` (${(err.cause as Error).message ?? err.cause})` : ''}`;
        if (attempt === retries) return { ok: false, reason: `${why}, ${tag}` };
        continue;
      }
      if (res.status >= 500 || res.status === 429) {
        why = `HTTP ${res.status}`;
        if (attempt === retries) return { ok: false, reason: `${why}, ${tag}` };
        continue;
      }
      if (!res.ok) return { ok: false, reason: `HTTP ${res.status}: ${text.slice(0, 200)}` };
      let parsed: unknown;
      try {
        parsed = JSON.parse(text);
      } catch {
        return { ok: false, reason: `reply is not JSON: ${JSON.stringify(text.slice(0, 80))}` };
      }
      return replyText(parsed);
    }
    return { ok: false, reason: why || 'no attempt made' };
  };
}

/** A judge on an OpenAI-compatible chat-completions endpoint. */
export function httpJudge(o: HttpJudgeOptions): Judge {
  return chatJudge(`http ${o.model} at ${o.url}`, httpChat(o), o.concurrency ?? 4);
}
