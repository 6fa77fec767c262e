import { BlockList, isIPv4, isIPv6 } from 'node:net';
import { SourceNotAllowedError } from '../openim/errors';

/** Returns a check of API Gateway's source IP against the CIDRs; none configured allows all. */
export const createSourceCheck = (cidrs: string[]): ((sourceIp: string | undefined) => void) => {
  if (cidrs.length === 0) return () => undefined;
  const allowed = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix] = cidr.split('/');
    const family = isIPv4(network) ? 'ipv4' : isIPv6(network) ? 'ipv6' : undefined;
    if (family === undefined) throw new Error(`ALLOWED_SOURCE_CIDRS: ${JSON.stringify(cidr)} is not an IP or CIDR`);
    allowed.addSubnet(network, prefix === undefined ? (family === 'ipv4' ? 32 : 128) : Number(prefix), family);
  }
  return (sourceIp) => {
    const family = sourceIp && isIPv4(sourceIp) ? 'ipv4' : sourceIp && isIPv6(sourceIp) ? 'ipv6' : undefined;
    if (sourceIp === undefined || family === undefined || !allowed.check(sourceIp, family)) {
      throw new SourceNotAllowedError(`source ${sourceIp ?? 'unknown'} is not in the allow-list`);
    }
  };
};
