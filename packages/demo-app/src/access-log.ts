import { appendFileSync } from 'node:fs';

export interface AccessLogEntry {
  time: string;
  id: string;
  method: string;
  path: string;
  status: number;
  ms: number;
  ua: string | null;
}

/**
 * The app's access log: one JSON line per request appended to a file, like nginx's. One synchronous
 * write per line, so lines land whole and in the order the requests were answered (what log-forwarder
 * is there to ship).
 */
export class AccessLog {
  readonly file: string;
  #lines = 0;

  constructor(file: string) {
    this.file = file;
    // The file exists from the start, so a forwarder following it opens it at once.
    appendFileSync(file, '', { mode: 0o644 });
  }

  get lines(): number {
    return this.#lines;
  }

  write(entry: AccessLogEntry): void {
    appendFileSync(this.file, `${JSON.stringify(entry)}\n`);
    this.#lines += 1;
  }
}
