/*
 * IP addresses and CIDRs as Go parses them (golang/go@go1.25.0:src/net/netip/netip.go ParseAddr,
 * src/net/ip.go ParseIP and ParseCIDR), which is how Kubernetes and every Go program that reads
 * them (kube-proxy, CNI plugins, NodeLocal DNSCache) see them:
 * - IPv4: exactly four decimal fields 0-255, no leading zeros ("010.0.0.0" is refused since Go 1.17,
 *   because older parsers read it as octal);
 * - IPv6: at most eight groups of 1-4 hex digits, one "::" at most, which stands for at least one
 *   zero group, and optionally an IPv4 address as the last 32 bits; no zone ("%eth0");
 * - CIDR: an address, "/" and a decimal prefix length of at most 32 (IPv4) or 128 (IPv6).
 */

/** Whether `text` is an IPv4 address in dotted decimal without leading zeros. */
export function isIPv4(text: string): boolean {
  const fields = text.split('.');
  return fields.length === 4 && fields.every((f) => /^(0|[1-9][0-9]{0,2})$/.test(f) && Number(f) <= 255);
}

/** Whether `text` is an IPv6 address (without zone) as Go's netip.ParseAddr reads it. */
export function isIPv6(text: string): boolean {
  if (!text.includes(':')) return false;
  const first = text.indexOf('::');
  if (first >= 0 && text.indexOf('::', first + 1) >= 0) return false;
  const groupsOf = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.some((g) => g === '') ? undefined : groups;
  };
  const head = groupsOf(first >= 0 ? text.slice(0, first) : text);
  const tail = first >= 0 ? groupsOf(text.slice(first + 2)) : [];
  if (head === undefined || tail === undefined) return false;
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const group = all[i];
    if (group.includes('.')) {
      // An embedded IPv4 address is the last element and fills the last two groups.
      if (i !== all.length - 1 || (first >= 0 && tail.length === 0) || !isIPv4(group)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(group)) {
      count += 1;
    } else {
      return false;
    }
  }
  return first >= 0 ? count <= 7 : count === 8;
}

/** Whether `text` is one IPv4 or IPv6 address (no prefix length, no zone), as Go's net.ParseIP reads it. */
export function isIpAddress(text: unknown): boolean {
  return typeof text === 'string' && (text.includes(':') ? isIPv6(text) : isIPv4(text));
}

/** Whether `text` is a CIDR as Go's net.ParseCIDR reads it. */
export function isCidr(text: unknown): boolean {
  if (typeof text !== 'string') return false;
  const slash = text.indexOf('/');
  if (slash < 0) return false;
  const address = text.slice(0, slash);
  const prefix = text.slice(slash + 1);
  if (!isIpAddress(address) || !/^[0-9]+$/.test(prefix)) return false;
  return Number(prefix) <= (address.includes(':') ? 128 : 32);
}
