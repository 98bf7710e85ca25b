import { isIPv4, isIPv6, type Socket } from 'node:net';
import {
  Command,
  INETProtocol,
  IPv4Address,
  IPv4ProxyAddress,
  IPv6Address,
  IPv6ProxyAddress,
  Peer,
  TransportProtocol,
  UnspecProxyAddress,
  V1ProxyProtocol,
  V2ProxyProtocol,
} from 'proxy-protocol-js';
import { normalizeAddress } from '../http/trusted-proxies.ts';

/**
 * The PROXY protocol header (HAProxy's spec, built by proxy-protocol-js) that tells the app who the
 * client is: source = the client's address and port, destination = the address and port it reached.
 * An address Node cannot give (the socket already gone) makes `UNKNOWN` (v1) or `LOCAL` (v2), which
 * consumers accept and read as "use the connection's own addresses".
 */
export function buildProxyHeader(version: 'v1' | 'v2', client: Socket): Buffer {
  const source = normalizeAddress(client.remoteAddress);
  const destination = normalizeAddress(client.localAddress);
  const sourcePort = client.remotePort ?? 0;
  const destinationPort = client.localPort ?? 0;
  const family =
    isIPv4(source) && isIPv4(destination) ? 4 : isIPv6(source) && isIPv6(destination) ? 6 : undefined;
  if (version === 'v1') {
    if (family === undefined) return Buffer.from('PROXY UNKNOWN\r\n');
    return Buffer.from(
      new V1ProxyProtocol(
        family === 4 ? INETProtocol.TCP4 : INETProtocol.TCP6,
        new Peer(source, sourcePort),
        new Peer(destination, destinationPort),
      ).build(),
    );
  }
  const address =
    family === 4
      ? new IPv4ProxyAddress(
          IPv4Address.createFrom(ipv4Bytes(source)),
          sourcePort,
          IPv4Address.createFrom(ipv4Bytes(destination)),
          destinationPort,
        )
      : family === 6
        ? new IPv6ProxyAddress(
            IPv6Address.createFrom(ipv6Bytes(source)),
            sourcePort,
            IPv6Address.createFrom(ipv6Bytes(destination)),
            destinationPort,
          )
        : new UnspecProxyAddress();
  const command = family === undefined ? Command.LOCAL : Command.PROXY;
  const transport = family === undefined ? TransportProtocol.UNSPEC : TransportProtocol.STREAM;
  return Buffer.from(new V2ProxyProtocol(command, transport, address).build());
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The 16 bytes of an IPv6 address in any of its text forms (`::`, an embedded IPv4 tail). */
export function ipv6Bytes(address: string): number[] {
  const words = (text: string): number[] =>
    text === ''
      ? []
      : text.split(':').flatMap((group) => {
          if (!group.includes('.')) return [Number.parseInt(group, 16)];
          const [a, b, c, d] = ipv4Bytes(group) as [number, number, number, number];
          return [(a << 8) | b, (c << 8) | d];
        });
  const [head = '', tail] = address.replace(/%.*$/, '').split('::');
  const headWords = words(head);
  const tailWords = tail === undefined ? [] : words(tail);
  const zeros = new Array<number>(8 - headWords.length - tailWords.length).fill(0);
  return [...headWords, ...zeros, ...tailWords].flatMap((word) => [word >> 8, word & 0xff]);
}
