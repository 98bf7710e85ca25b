import { type BodyWriter, BodyWriters } from '../body-writer.ts';
import { type HttpAnswer, HttpPoster, type PostOptions } from './http-post.ts';
import type { HttpTarget } from './http-target.ts';

/**
 * One sink's requests: each body is written into a pooled buffer, which goes back to the pool as soon
 * as the body has left (or the request failed), so batches in flight need only one or two buffers.
 */
export class BatchPoster {
  readonly #poster: HttpPoster;
  readonly #writers = new BodyWriters();

  constructor(target: HttpTarget) {
    this.#poster = new HttpPoster(target);
  }

  /** Writes the body with `write` and POSTs it; rejects when no answer came (see HttpPoster.post). */
  async post(
    url: URL,
    write: (writer: BodyWriter) => Buffer,
    options: Omit<PostOptions, 'released'>,
  ): Promise<HttpAnswer> {
    const { writer, release } = this.#writers.take();
    try {
      return await this.#poster.post(url, write(writer), { ...options, released: release });
    } finally {
      release();
    }
  }

  close(): void {
    this.#poster.close();
  }
}
