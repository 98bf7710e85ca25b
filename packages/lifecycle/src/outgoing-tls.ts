import { readFileSync, statSync } from 'node:fs';
import { Agent as HttpsAgent, type AgentOptions as HttpsAgentOptions } from 'node:https';
import type { Duplex } from 'node:stream';
import { createSecureContext, getCACertificates, type SecureContext } from 'node:tls';
import type { buildConnector, Dispatcher, Agent as UndiciAgent } from 'undici';

// undici (for fetch's dispatcher) is loaded only when an option asks for it: a program that does not
// use it does not pay its start-up.
type Undici = typeof import('undici');

import { UsageError } from './errors.ts';
import type { Logger } from './logger.ts';
import { flagName, type OptionTable } from './options.ts';

/**
 * The options of every outgoing HTTPS client (webhooks, URL sources, log sinks, proxied upstreams): a
 * program opts in by spreading this group into its option table, and lifecycle hands it an
 * `OutgoingTls` built from them.
 */
export const outgoingTlsOptions = {
  caFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'PEM file of CA certificates trusted for outgoing HTTPS, besides the system roots (a private CA, Elasticsearch’s own); read again when it changes.',
  },
  clientCertFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'PEM client certificate (leaf first, then its chain) shown to HTTPS servers that ask for one (mutual TLS); read again when it changes. Needs --client-key-file.',
  },
  clientKeyFile: {
    type: 'string',
    placeholder: 'PATH',
    help: 'PEM private key of --client-cert-file.',
  },
  insecureSkipVerify: {
    type: 'boolean',
    help: 'Do not verify the certificates of HTTPS servers: anyone on the path can read and change the traffic. For a test only; logged as a warning at start.',
  },
} as const satisfies OptionTable;

export interface OutgoingTlsSettings {
  caFile?: string | undefined;
  clientCertFile?: string | undefined;
  clientKeyFile?: string | undefined;
  insecureSkipVerify?: boolean | undefined;
  /** How often the files are checked for a change (a stat each). */
  reloadCheckMs?: number;
}

/** What `tls.connect` needs on top of host and port; the secure context is the one in force now. */
export interface TlsConnectOptions {
  secureContext: SecureContext;
  rejectUnauthorized: boolean;
}

interface Files {
  ca: string | undefined;
  cert: string | undefined;
  key: string | undefined;
}

/**
 * Outgoing HTTPS with the program's trust and identity: a dispatcher for `fetch` and `https.Agent`s
 * for `node:https`, both taking every new connection's secure context from the files as they are now
 * (pooled connections keep the one they were made with). With no option set, `dispatcher` is undefined
 * and `httpsAgent` a plain agent, so fetch and https behave exactly as without this.
 */
export class OutgoingTls {
  readonly #settings: OutgoingTlsSettings;
  readonly #log: Logger | undefined;
  readonly #custom: boolean;
  #context: SecureContext;
  #stamp: string;
  #connector: buildConnector.connector | undefined;
  #buildConnector: () => buildConnector.connector = () => {
    throw new Error('no connector without outgoing TLS options');
  };
  #dispatcher: UndiciAgent | undefined;
  #timer: NodeJS.Timeout | undefined;

  /** Reads and checks the files; a missing or malformed one is a UsageError naming its option. */
  static async open(settings: OutgoingTlsSettings, log?: Logger): Promise<OutgoingTls> {
    const custom = Boolean(settings.caFile || settings.clientCertFile || settings.insecureSkipVerify);
    const tls = new OutgoingTls(settings, log, custom ? await import('undici') : undefined);
    if (log) tls.#logStart(log);
    return tls;
  }

  private constructor(settings: OutgoingTlsSettings, log: Logger | undefined, undici: Undici | undefined) {
    this.#settings = settings;
    this.#log = log;
    if (settings.clientCertFile && !settings.clientKeyFile)
      throw new UsageError('MISSING_OPTION', '--client-cert-file needs --client-key-file', 'clientKeyFile');
    if (settings.clientKeyFile && !settings.clientCertFile)
      throw new UsageError('MISSING_OPTION', '--client-key-file needs --client-cert-file', 'clientCertFile');
    this.#custom = undici !== undefined;
    this.#stamp = this.#fileStamp();
    this.#context = buildContext(readFiles(settings));
    if (!undici) return;
    this.#buildConnector = () => undici.buildConnector({ ...this.connectOptions });
    this.#connector = this.#buildConnector();
    // New connections ask for the connector in force, so a reload reaches them without a new pool.
    this.#dispatcher = new undici.Agent({
      connect: (options, callback) => this.#connector!(options, callback),
    });
    if (settings.caFile || settings.clientCertFile) {
      this.#timer = setInterval(() => this.#reloadIfChanged(), settings.reloadCheckMs ?? 2000);
      this.#timer.unref();
    }
  }

  /** Says what the program trusts, and warns loudly about skipping checks. */
  #logStart(log: Logger): void {
    const { caFile, clientCertFile, insecureSkipVerify } = this.#settings;
    if (caFile || clientCertFile) log.info({ caFile, clientCertFile }, 'outgoing TLS files loaded');
    if (insecureSkipVerify)
      log.warn(
        '--insecure-skip-verify: the certificates of HTTPS servers are NOT verified; anyone on the network path can read and change this traffic. Use --ca-file instead outside a test.',
      );
  }

  /** For `fetch(url, { dispatcher })`; undefined when no option is set (fetch's own default). */
  get dispatcher(): Dispatcher | undefined {
    return this.#dispatcher;
  }

  /** An agent for `node:https` requests (its options, such as keepAlive, as given). */
  httpsAgent(options: HttpsAgentOptions = {}): HttpsAgent {
    if (!this.#custom) return new HttpsAgent(options);
    const outgoing = this;
    return new (class extends HttpsAgent {
      override createConnection(
        connectOptions: Parameters<HttpsAgent['createConnection']>[0],
        callback?: Parameters<HttpsAgent['createConnection']>[1],
      ): Duplex | null | undefined {
        return super.createConnection({ ...connectOptions, ...outgoing.connectOptions }, callback);
      }
    })({ ...options, rejectUnauthorized: !this.#settings.insecureSkipVerify });
  }

  /** For `tls.connect` or a proxy library's `target` options: trust, identity and verification as now. */
  get connectOptions(): TlsConnectOptions {
    return { secureContext: this.#context, rejectUnauthorized: !this.#settings.insecureSkipVerify };
  }

  /** Checks the files now (the timer does it every `reloadCheckMs`); true when they were read again. */
  reloadIfChanged(): boolean {
    return this.#reloadIfChanged();
  }

  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.#dispatcher?.close();
  }

  #reloadIfChanged(): boolean {
    const stamp = this.#fileStamp();
    if (stamp === this.#stamp) return false;
    try {
      this.#context = buildContext(readFiles(this.#settings));
      this.#connector = this.#buildConnector();
      this.#stamp = stamp;
      this.#log?.info({ caFile: this.#settings.caFile }, 'outgoing TLS files changed: read again');
      return true;
    } catch (error) {
      // A file caught half-written, or a bad one: keep what works, say why, try again at the next change.
      this.#stamp = stamp;
      this.#log?.error(
        { err: error },
        'outgoing TLS files changed but cannot be used; keeping the previous ones',
      );
      return false;
    }
  }

  /** Inode, size and mtime of each file (through symlinks, as a Kubernetes secret volume swaps them). */
  #fileStamp(): string {
    const { caFile, clientCertFile, clientKeyFile } = this.#settings;
    return [caFile, clientCertFile, clientKeyFile]
      .map((path) => {
        if (!path) return '';
        try {
          const stat = statSync(path);
          return `${stat.ino}:${stat.size}:${stat.mtimeMs}`;
        } catch {
          return 'missing';
        }
      })
      .join('|');
  }
}

function readFile(path: string | undefined, option: keyof typeof outgoingTlsOptions): string | undefined {
  if (!path) return undefined;
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(
      'BAD_VALUE',
      `--${flagName(option)}: cannot read ${path}: ${(error as Error).message}`,
      option,
    );
  }
}

function readFiles(settings: OutgoingTlsSettings): Files {
  const ca = readFile(settings.caFile, 'caFile');
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----'))
    throw new UsageError('BAD_VALUE', `--ca-file: ${settings.caFile} holds no PEM certificate`, 'caFile');
  return {
    ca,
    cert: readFile(settings.clientCertFile, 'clientCertFile'),
    key: readFile(settings.clientKeyFile, 'clientKeyFile'),
  };
}

function buildContext(files: Files): SecureContext {
  try {
    return createSecureContext({
      // Added to the roots Node trusts by default, not instead of them.
      ...(files.ca ? { ca: [...getCACertificates('default'), files.ca] } : {}),
      ...(files.cert ? { cert: files.cert, key: files.key } : {}),
    });
  } catch (error) {
    throw new UsageError(
      'BAD_VALUE',
      `--ca-file/--client-cert-file/--client-key-file: cannot be used: ${(error as Error).message}`,
    );
  }
}
