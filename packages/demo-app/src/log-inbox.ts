/**
 * The demo's log sink: records POSTed as NDJSON or a JSON array (what log-forwarder's HTTP sink sends)
 * are kept in memory, the newest `capacity`, so the demo needs no log backend to show lines arriving.
 */
export class LogInbox {
  readonly #capacity: number;
  readonly #records: unknown[] = [];
  #received = 0;
  #requests = 0;

  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  get received(): number {
    return this.#received;
  }

  get requests(): number {
    return this.#requests;
  }

  /** Takes one request body; throws on a line that is not JSON, keeping none of that body. */
  ingest(body: string): number {
    const trimmed = body.trim();
    let batch: unknown[];
    if (trimmed.startsWith('[')) {
      const parsed: unknown = JSON.parse(trimmed);
      batch = Array.isArray(parsed) ? parsed : [parsed];
    } else {
      batch = trimmed === '' ? [] : trimmed.split('\n').map((line) => JSON.parse(line) as unknown);
    }
    this.#records.push(...batch);
    if (this.#records.length > this.#capacity) {
      this.#records.splice(0, this.#records.length - this.#capacity);
    }
    this.#received += batch.length;
    this.#requests += 1;
    return batch.length;
  }

  /** The newest `limit` records, oldest first. */
  latest(limit = this.#capacity): unknown[] {
    return this.#records.slice(-limit);
  }
}
