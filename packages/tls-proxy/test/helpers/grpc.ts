import * as grpc from '@grpc/grpc-js';

const bytes = {
  requestSerialize: (value: Buffer) => value,
  requestDeserialize: (value: Buffer) => value,
  responseSerialize: (value: Buffer) => value,
  responseDeserialize: (value: Buffer) => value,
};

/** A service of raw byte messages (no .proto needed): Echo (unary) and Count (a server stream). */
export const testService = {
  echo: { path: '/test.Test/Echo', requestStream: false, responseStream: false, ...bytes },
  count: { path: '/test.Test/Count', requestStream: false, responseStream: true, ...bytes },
} satisfies grpc.ServiceDefinition;

export const TestClient = grpc.makeGenericClientConstructor(testService, 'Test');
export type TestClientInstance = InstanceType<typeof TestClient>;

/**
 * A gRPC server in h2c (plain HTTP/2, as behind a TLS terminator) on 127.0.0.1:0. Count answers
 * `n` messages (the request is `n` as text, optionally `n:pauseEvery:pauseMs`), each its own index.
 */
export async function startGrpcServer(): Promise<{ server: grpc.Server; port: number }> {
  const server = new grpc.Server();
  server.addService(testService, {
    echo: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) =>
      callback(null, call.request),
    count: async (call: grpc.ServerWritableStream<Buffer, Buffer>) => {
      const [n = 0, pauseEvery = 0, pauseMs = 0] = String(call.request).split(':').map(Number);
      for (let i = 0; i < n; i += 1) {
        if (call.cancelled) return;
        if (!call.write(Buffer.from(String(i)))) await new Promise((resolve) => call.once('drain', resolve));
        if (pauseEvery > 0 && i % pauseEvery === pauseEvery - 1) {
          await new Promise((resolve) => setTimeout(resolve, pauseMs));
        }
      }
      call.end();
    },
  });
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    ),
  );
  return { server, port };
}

/** A client over TLS trusting `ca`, to 127.0.0.1:port (the server certificate names 127.0.0.1). */
export function grpcClient(port: number, ca: string): TestClientInstance {
  // A pool of its own: grpc-js shares connections between clients of one target otherwise, and a
  // test closing its client must close its connection.
  return new TestClient(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(ca)), {
    'grpc.use_local_subchannel_pool': 1,
  });
}

export function echo(client: TestClientInstance, text: string): Promise<string> {
  return new Promise((resolve, reject) =>
    client.makeUnaryRequest(
      testService.echo.path,
      bytes.requestSerialize,
      bytes.responseDeserialize,
      Buffer.from(text),
      { deadline: Date.now() + 10_000 },
      (error, value) => (error ? reject(error) : resolve(String(value))),
    ),
  );
}

/** Runs Count; `onMessage` sees each index as it comes. Resolves with how many came, in order. */
export function count(
  client: TestClientInstance,
  request: string,
  onMessage: (index: number) => void = () => {},
): Promise<number> {
  return new Promise((resolve, reject) => {
    const call = client.makeServerStreamRequest(
      testService.count.path,
      bytes.requestSerialize,
      bytes.responseDeserialize,
      Buffer.from(request),
      { deadline: Date.now() + 30_000 },
    );
    let received = 0;
    call.on('data', (value: Buffer) => {
      const index = Number(String(value));
      if (index !== received) call.cancel();
      received += 1;
      onMessage(index);
    });
    call.on('error', reject);
    call.on('end', () => resolve(received));
  });
}
