import { BlockList, isIP } from 'node:net';

/** `10.0.0.0/8`, `192.168.1.7`, `fd00::/8`: throws naming the entry when one is not an IP or CIDR. */
export function parseTrustedProxies(entries: readonly string[]): BlockList | undefined {
  if (entries.length === 0) return undefined;
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = family === 6 ? 128 : 32;
    if (
      family === 0 ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d{1,3}$/.test(prefix ?? '') || bits > maxBits))
    ) {
      throw new Error(`${JSON.stringify(entry)} is not an IP address or CIDR such as 10.0.0.0/8 or fd00::/8`);
    }
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, bits, type);
  }
  return list;
}

/** `::ffff:10.1.2.3` (an IPv4 client on a dual-stack socket) → `10.1.2.3`. */
export function normalizeAddress(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function isTrusted(list: BlockList | undefined, address: string): boolean {
  if (!list || address === '') return false;
  return list.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}
