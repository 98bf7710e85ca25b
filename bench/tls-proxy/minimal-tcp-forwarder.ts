// The floor for Node in TCP mode: `tls.createServer` piping each connection to a new upstream
// socket. No timeouts, no logs, no metrics, no mTLS.
//   node minimal-tcp-forwarder.ts CERT KEY UPSTREAM_PORT
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect } from 'node:net';
import { createServer } from 'node:tls';

const [certFile = '', keyFile = '', upstreamPort = '8080'] = process.argv.slice(2);
const server = createServer({ cert: readFileSync(certFile), key: readFileSync(keyFile) }, (client) => {
  const upstream = connect(Number(upstreamPort), '127.0.0.1');
  client.pipe(upstream).pipe(client);
  client.on('error', () => upstream.destroy());
  upstream.on('error', () => client.destroy());
});
server.listen(0, '127.0.0.1', () => {
  process.stdout.write(`${(server.address() as AddressInfo).port}\n`);
});
process.on('SIGTERM', () => process.exit(0));
