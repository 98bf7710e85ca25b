import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';

// The official opentelemetry-proto definitions, as an OpenTelemetry JS package ships them.
const protos = join(
  dirname(createRequire(import.meta.url).resolve('@opentelemetry/otlp-grpc-exporter-base/package.json')),
  'build',
  'protos',
);

function loadLogsService(): protobuf.Root {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(protos, target);
  return root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
}

const logsService = loadLogsService();
/** ExportLogsServiceRequest, from the official .proto files. */
export const exportLogsServiceRequest = logsService.lookupType(
  'opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest',
);
/**
 * ExportLogsServiceResponse, the answer to it. The .proto files of the pinned package predate
 * partial_success (opentelemetry-proto v0.19), so its two fields are added as the current
 * logs_service.proto declares them: `ExportLogsPartialSuccess partial_success = 1;` with
 * `int64 rejected_log_records = 1; string error_message = 2;`.
 */
const exportLogsServiceResponse = (() => {
  const response = logsService.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceResponse');
  if (!response.fields.partialSuccess) {
    const partial = new protobuf.Type('ExportLogsPartialSuccess')
      .add(new protobuf.Field('rejectedLogRecords', 1, 'int64'))
      .add(new protobuf.Field('errorMessage', 2, 'string'));
    response.parent!.add(partial);
    response.add(new protobuf.Field('partialSuccess', 1, 'ExportLogsPartialSuccess'));
  }
  return response;
})();

export interface PartialSuccess {
  rejectedLogRecords: number;
  errorMessage: string;
}

/** An ExportLogsServiceResponse body in the request's encoding, as a Collector answers. */
function encodeResponse(contentType: string, partialSuccess: PartialSuccess | undefined): Buffer {
  const message = exportLogsServiceResponse.fromObject(partialSuccess ? { partialSuccess } : {});
  if (contentType.startsWith('application/x-protobuf')) {
    return Buffer.from(exportLogsServiceResponse.encode(message).finish());
  }
  // OTLP/JSON: int64 as a decimal string, fields by camelCase names.
  const plain = exportLogsServiceResponse.toObject(message, { longs: String });
  return Buffer.from(JSON.stringify(plain));
}

/** A decoded request as a plain object: times as decimal strings, enums as numbers, fields by camelCase names. */
export type ExportLogs = {
  resourceLogs: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs: {
      scope?: { name?: string; version?: string };
      logRecords: LogRecord[];
    }[];
  }[];
};
export interface KeyValue {
  key: string;
  value: AnyValue;
}
export interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
}
export interface LogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
}

const asPlain = (message: protobuf.Message) =>
  exportLogsServiceRequest.toObject(message, { longs: String, enums: Number, arrays: true }) as ExportLogs;

/** Decodes an OTLP/HTTP logs body as a Collector would: protobuf by the .proto, JSON by the same types. */
export function decodeLogs(body: Buffer, contentType: string): ExportLogs {
  if (contentType.startsWith('application/x-protobuf')) return asPlain(exportLogsServiceRequest.decode(body));
  const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  // fromObject skips names it does not know: a misspelt field would just go missing, so refuse it here.
  const unknown = unknownNames(exportLogsServiceRequest, json, 'request');
  if (unknown.length > 0) throw new Error(`unknown OTLP/JSON fields: ${unknown.join(', ')}`);
  return asPlain(exportLogsServiceRequest.fromObject(json));
}

/** Names in an OTLP/JSON object that are no field of its message type, recursively. */
function unknownNames(type: protobuf.Type, json: unknown, path: string): string[] {
  if (json === null || typeof json !== 'object') return [];
  const found: string[] = [];
  for (const [name, value] of Object.entries(json)) {
    const field = type.fields[name];
    if (!field) {
      found.push(`${path}.${name}`);
      continue;
    }
    const fieldType = field.resolve().resolvedType;
    if (!(fieldType instanceof protobuf.Type)) continue;
    for (const item of Array.isArray(value) ? value : [value])
      found.push(...unknownNames(fieldType, item, `${path}.${name}`));
  }
  return found;
}

export interface OtlpRequest {
  status?: number;
  path: string;
  headers: IncomingMessage['headers'];
  logs: ExportLogs;
  records: LogRecord[];
}

/** A real OTLP/HTTP logs receiver on loopback: decodes each request (gzip too) and answers as told. */
export class OtlpReceiver {
  readonly server: Server;
  readonly requests: OtlpRequest[] = [];
  /** Bodies it could not decode, with the reason: a test expects none. */
  readonly undecodable: string[] = [];
  answer: (request: OtlpRequest) => {
    status: number;
    headers?: Record<string, string>;
    /** For a 2xx: records the receiver says it rejected. */
    partialSuccess?: PartialSuccess;
  } = () => ({
    status: 200,
  });

  private constructor() {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        let body = Buffer.concat(chunks);
        try {
          if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
          const logs = decodeLogs(body, req.headers['content-type'] ?? '');
          const records = logs.resourceLogs.flatMap((r) => r.scopeLogs.flatMap((s) => s.logRecords));
          const request = { path: req.url ?? '', headers: req.headers, logs, records };
          this.requests.push(request);
          const { status, headers, partialSuccess } = this.answer(request);
          Object.assign(request, { status });
          const contentType = req.headers['content-type'] ?? '';
          res
            .writeHead(status, { 'content-type': contentType, ...headers })
            .end(status < 300 ? encodeResponse(contentType, partialSuccess) : '');
        } catch (error) {
          this.undecodable.push((error as Error).message);
          res.writeHead(400).end((error as Error).message);
        }
      });
    });
  }

  static async start(): Promise<OtlpReceiver> {
    const receiver = new OtlpReceiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    return receiver;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The records of every request answered 2xx, in order. */
  get records(): LogRecord[] {
    return this.requests.filter((r) => r.status! < 300).flatMap((request) => request.records);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Attributes as a plain object of their values (`{ "log.file.path": { stringValue: … } }`). */
export function attributeMap(attributes: KeyValue[] | undefined): Record<string, AnyValue> {
  return Object.fromEntries((attributes ?? []).map(({ key, value }) => [key, value]));
}
