import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { parseStat } from './proc/parse.ts';
import type { ProcessInfo } from './snapshot.ts';

/** The signals the endpoint may send: stop, interrupt, reload, quit, the two user signals, and KILL. */
export const allowedSignals = ['TERM', 'INT', 'HUP', 'KILL', 'USR1', 'USR2', 'QUIT'] as const;

/** `TERM`, `SIGTERM` or `term` → `SIGTERM`; undefined when not allowed. */
export function parseSignalName(text: string): NodeJS.Signals | undefined {
  const name = text.trim().toUpperCase().replace(/^SIG/, '');
  return (allowedSignals as readonly string[]).includes(name) ? (`SIG${name}` as NodeJS.Signals) : undefined;
}

/**
 * Compares a bearer token with the expected one in constant time. Both are hashed first so that
 * neither their contents nor their lengths show in the time taken.
 */
export function isAuthorized(authorization: string | undefined, token: string): boolean {
  const given = /^Bearer +(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? '';
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return given !== '' && timingSafeEqual(digest(given), digest(token));
}

/** The most bytes of a signal request body topz reads: `{"signal":"TERM"}` needs twenty. */
export const maxSignalBodyBytes = 1024;

/** A request body over the limit, declared or sent. */
export class BodyTooLargeError extends Error {
  constructor(limit: number) {
    super(`request body over ${limit} bytes`);
  }
}

/**
 * The signal named by the request: a JSON `{"signal": …}`, a form or bare body, or `?signal=`. Call it
 * only once the token is checked. A body declared (Content-Length) or found longer than
 * `maxSignalBodyBytes` throws BodyTooLargeError before more is read.
 */
export async function readRequestedSignal(req: IncomingMessage, url: URL): Promise<string | undefined> {
  const body = (await readBody(req, maxSignalBodyBytes)).trim();
  if (body === '') return url.searchParams.get('signal') ?? undefined;
  if (body.startsWith('{')) {
    try {
      const parsed = JSON.parse(body) as { signal?: unknown };
      return typeof parsed.signal === 'string' ? parsed.signal : undefined;
    } catch {
      return undefined;
    }
  }
  return new URLSearchParams(body).get('signal') ?? body;
}

/**
 * Reads a small body whole. Another engineer is adding a shared body reader to lifecycle; until it
 * lands topz keeps the rule here: refuse on the declared length, stop reading past the limit.
 */
function readBody(req: IncomingMessage, limit: number): Promise<string> {
  if (Number(req.headers['content-length'] ?? 0) > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let length = 0;
    const stop = () => {
      req.off('data', onData).off('end', onEnd).off('error', onError);
    };
    const onData = (chunk: Buffer) => {
      length += chunk.length;
      chunks.push(chunk);
      if (length <= limit) return;
      // Paused, not destroyed: the socket must stay open for the 413 (then closed by `connection: close`).
      stop();
      req.pause();
      reject(new BodyTooLargeError(limit));
    };
    const onEnd = () => {
      stop();
      resolve(Buffer.concat(chunks).toString('utf8'));
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    req.on('data', onData).on('end', onEnd).on('error', onError);
  });
}

export type SignalOutcome =
  | { status: 200; signal: NodeJS.Signals }
  | { status: 403 | 404 | 409; error: string };

/**
 * Sends `signal` to a process of the latest snapshot, after checking its PID still names the same
 * process (same start time): between the snapshot and now it may have exited and its PID been reused.
 * A small window remains between that check and the kill; Node offers no pidfd to close it.
 */
export function sendSignal(procRoot: string, process: ProcessInfo, signal: NodeJS.Signals): SignalOutcome {
  const gone = { status: 404, error: `process ${process.pid} has exited` } as const;
  let startTicks: number | undefined;
  try {
    const bytes = readFileSync(`${procRoot}/${process.pid}/stat`);
    startTicks = parseStat(bytes, bytes.length)?.startTicks;
  } catch {
    return gone;
  }
  if (startTicks !== process.startTicks) {
    return { status: 409, error: `process ${process.pid} has exited and its PID names another process now` };
  }
  try {
    globalThis.process.kill(process.pid, signal);
    return { status: 200, signal };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ESRCH') return gone;
    return {
      status: 403,
      error: `not permitted to signal process ${process.pid}: topz needs its uid or the KILL capability`,
    };
  }
}
