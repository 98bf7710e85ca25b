import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gunzipSync } from 'node:zlib';

/** One request as the fake sink saw it, its records already taken out of the wire format. */
export interface SinkRequest {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The log lines it carries (NDJSON/JSON `line`, Loki values, `_bulk` `message`). */
  lines: string[];
  /** For `_bulk`: the `_id` of each document. */
  ids: string[];
  /** 1 for the first request. */
  number: number;
}

/** What to answer: a status (and headers, body), or `hang` to never answer (a timeout). */
export type SinkAnswer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
export type SinkBehaviour = (request: SinkRequest) => SinkAnswer;

const acceptAll: SinkBehaviour = () => ({ status: 200, body: '{}' });

function parseLines(path: string, contentType: string, body: string): { lines: string[]; ids: string[] } {
  if (path.startsWith('/loki/api/v1/push')) {
    const push = JSON.parse(body) as { streams: { values: [string, string][] }[] };
    return { lines: push.streams.flatMap((stream) => stream.values.map((value) => value[1])), ids: [] };
  }
  const rows = body.split('\n').filter(Boolean);
  if (path.split('?')[0]!.endsWith('/_bulk')) {
    const ids: string[] = [];
    const lines: string[] = [];
    for (let i = 0; i < rows.length; i += 2) {
      ids.push(Object.values(JSON.parse(rows[i]!) as Record<string, { _id: string }>)[0]!._id);
      lines.push((JSON.parse(rows[i + 1]!) as { message: string }).message);
    }
    return { lines, ids };
  }
  const records = (
    contentType.includes('ndjson') ? rows.map((row) => JSON.parse(row)) : JSON.parse(body)
  ) as {
    line: string;
  }[];
  return { lines: records.map((record) => record.line), ids: [] };
}

/**
 * A real HTTP server on loopback standing in for a sink: it speaks the generic HTTP (JSON, NDJSON),
 * Loki push and `_bulk` formats, answers as the behaviour says, and counts the lines it accepted by
 * their sequence number (`seq=N` in the line).
 */
export class FakeSink {
  readonly server: Server;
  behaviour: SinkBehaviour = acceptAll;
  readonly requests: SinkRequest[] = [];
  /** Lines of the requests answered 2xx, in order (kept only when `keepLines`). */
  readonly accepted: string[] = [];
  /** How many times each sequence number was accepted. */
  readonly counts = new Map<number, number>();
  keepLines = true;
  /**
   * The sequence number a line carries, undefined for a line that carries none (counted in
   * `unnumbered`). A test that can see torn lines (a copy cut mid-write) asks for whole ones.
   */
  sequenceOf: (line: string) => number | undefined = (line) => {
    const seq = /seq=(\d+)/.exec(line)?.[1];
    return seq === undefined ? undefined : Number(seq);
  };
  /** Lines accepted that carry no sequence number. */
  unnumbered = 0;
  #pending = new Set<ServerResponse>();

  private constructor() {
    // A forwarder killed mid-request leaves a cut body: not a request the sink accepts.
    this.server = createServer((req, res) => void this.#handle(req, res).catch(() => res.destroy()));
  }

  static async start(): Promise<FakeSink> {
    const sink = new FakeSink();
    await new Promise<void>((resolve) => sink.server.listen(0, '127.0.0.1', resolve));
    return sink;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Distinct sequence numbers accepted. */
  get distinct(): number {
    return this.counts.size;
  }

  get duplicates(): number {
    let extra = 0;
    for (const count of this.counts.values()) extra += count - 1;
    return extra;
  }

  /** Sequence numbers from `first` to `last` never accepted. */
  missing(first: number, last: number): number[] {
    const missing: number[] = [];
    for (let seq = first; seq <= last; seq++) if (!this.counts.has(seq)) missing.push(seq);
    return missing;
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let raw = Buffer.concat(chunks);
    if (req.headers['content-encoding'] === 'gzip') raw = gunzipSync(raw);
    const body = raw.toString('utf8');
    const path = req.url ?? '/';
    const { lines, ids } = parseLines(path, String(req.headers['content-type'] ?? ''), body);
    const request: SinkRequest = {
      path,
      headers: req.headers,
      body,
      lines,
      ids,
      number: this.requests.length + 1,
    };
    this.requests.push(request);
    const answer = this.behaviour(request);
    if (answer === 'hang') {
      this.#pending.add(res);
      res.on('close', () => this.#pending.delete(res));
      return;
    }
    if (answer.status >= 200 && answer.status < 300) this.#accept(lines);
    res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
    res.end(answer.body ?? '{}');
  }

  /** Counts lines as delivered (a `_bulk` behaviour calls it for the items it accepts). */
  #accept(lines: string[]): void {
    for (const line of lines) {
      if (this.keepLines) this.accepted.push(line);
      const seq = this.sequenceOf(line);
      if (seq === undefined) this.unnumbered++;
      else this.counts.set(seq, (this.counts.get(seq) ?? 0) + 1);
    }
  }

  async close(): Promise<void> {
    for (const res of this.#pending) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}

export { waitUntil } from '@toolkit/test-helpers';
