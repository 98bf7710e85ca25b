import { Agent as HttpAgent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { HttpTarget } from './http-target.ts';

const gzipAsync = promisify(gzip);

export interface HttpAnswer {
  status: number;
  headers: IncomingHttpHeaders;
  /** The response body, cut at the reader's limit. */
  body: string;
  /** The same bytes undecoded (a protobuf answer is not text). */
  bytes: Buffer;
}

export interface PostOptions {
  contentType: string;
  timeoutMs: number;
  gzip: boolean;
  /** Most response bytes kept (an Elasticsearch bulk answer needs them all; an error excerpt does not). */
  maxResponseBytes: number;
  signal: AbortSignal;
  /**
   * Called once `payload` is no longer needed: handed to the kernel (or compressed), or the request
   * failed. The caller may then reuse its buffer while the answer is awaited.
   */
  released?: () => void;
}

/**
 * POSTs bodies to one sink over kept-alive connections. A request without an answer within the
 * timeout is destroyed and rejects, like a refused connection: the caller retries both.
 */
export class HttpPoster {
  readonly #target: HttpTarget;
  readonly #agent: HttpAgent;

  constructor(target: HttpTarget) {
    this.#target = target;
    // As many connections as batches in flight (--batches-in-flight is at most 16).
    const options = { keepAlive: true, maxSockets: 16 };
    this.#agent =
      target.url.protocol !== 'https:'
        ? new HttpAgent(options)
        : (target.tls?.httpsAgent(options) ?? new HttpsAgent(options));
  }

  /**
   * POSTs `payload`, which must stay unchanged until `options.released` is called (or the answer
   * comes): the sinks reuse their body buffers.
   */
  async post(url: URL, payload: Buffer, options: PostOptions): Promise<HttpAnswer> {
    let body = payload;
    const headers: Record<string, string> = {
      ...this.#target.headers,
      'content-type': options.contentType,
    };
    if (options.gzip) {
      body = await gzipAsync(body);
      headers['content-encoding'] = 'gzip';
      options.released?.();
    }
    headers['content-length'] = String(body.length);
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    return new Promise<HttpAnswer>((resolve, reject) => {
      const request = send(
        url,
        { method: 'POST', headers, agent: this.#agent, signal: options.signal },
        (response) => {
          const chunks: Buffer[] = [];
          let kept = 0;
          response.on('data', (chunk: Buffer) => {
            if (kept < options.maxResponseBytes) chunks.push(chunk);
            kept += chunk.length;
          });
          response.on('end', () => {
            clearTimeout(timer);
            const bytes = Buffer.concat(chunks).subarray(0, options.maxResponseBytes);
            const body = bytes.toString('utf8');
            resolve({ status: response.statusCode ?? 0, headers: response.headers, body, bytes });
          });
          response.on('error', reject);
          // A connection closed before the end of the answer: no answer, so the batch is retried.
          response.on('close', () => {
            if (!response.complete) reject(new Error('the answer was cut short'));
          });
        },
      );
      const timer = setTimeout(
        () => request.destroy(new Error(`no answer within ${options.timeoutMs}ms`)),
        options.timeoutMs,
      );
      request.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      // Every byte of the body is with the kernel: its buffer may take the next batch.
      if (options.released) request.on('finish', options.released);
      request.end(body);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}
