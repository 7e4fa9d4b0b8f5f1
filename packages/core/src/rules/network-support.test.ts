import { cidrContains, cidrsOverlap, nodeZones, parseCidr, parseIpv4 } from './network-support';
import { sameAccountNetwork } from './network-testing';
import { NodeIdentityView } from './view';
import { defaultConfig } from '../config/config';

describe('IPv4 CIDR helpers', () => {
  it('parses addresses and blocks, normalizing host bits', () => {
    expect(parseIpv4('10.0.1.2')).toBe(167772418);
    expect(parseIpv4('256.0.0.1')).toBeUndefined();
    expect(parseIpv4('10.0.1')).toBeUndefined();
    expect(parseIpv4('2001:db8::1')).toBeUndefined();
    expect(parseCidr('10.0.1.7/24')).toEqual({
      first: parseIpv4('10.0.1.0'),
      last: parseIpv4('10.0.1.255'),
      prefix: 24,
    });
    expect(parseCidr('0.0.0.0/0')).toEqual({ first: 0, last: 2 ** 32 - 1, prefix: 0 });
    expect(parseCidr('10.0.0.0/33')).toBeUndefined();
    expect(parseCidr('10.0.0.0/16/2')).toBeUndefined();
    expect(parseCidr('10.0.0.5')).toMatchObject({ prefix: 32 });
  });

  it('contains: every address of the inner block or address', () => {
    expect(cidrContains('10.0.0.0/16', '10.0.12.34')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.0.128.0/17')).toBe(true);
    expect(cidrContains('10.0.0.0/16', '10.0.0.0/16')).toBe(true);
    expect(cidrContains('0.0.0.0/0', '10.20.0.0/16')).toBe(true);
    expect(cidrContains('10.0.0.0/17', '10.0.0.0/16')).toBe(false);
    expect(cidrContains('10.0.0.0/16', '10.1.0.1')).toBe(false);
    expect(cidrContains('pl-0123abcd', '10.0.0.1')).toBe(false);
  });

  it('overlaps: at least one shared address, either way round', () => {
    expect(cidrsOverlap('10.0.0.0/24', '10.0.0.0/16')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.0.255.255/32')).toBe(true);
    expect(cidrsOverlap('10.0.0.0/16', '10.1.0.0/16')).toBe(false);
    expect(cidrsOverlap('10.0.0.0/16', 'not-a-cidr')).toBe(false);
  });
});

describe('nodeZones', () => {
  it('takes the AZ IDs of efs-csi-node pods, with the AZ names of their nodes', () => {
    const view = new NodeIdentityView(sameAccountNetwork(), defaultConfig());
    expect(nodeZones(view).map((z) => [z.azId, z.azName, z.nodes])).toEqual([
      ['use1-az1', 'us-east-1a', ['ip-10-0-1-10.ec2.internal']],
      ['use1-az2', 'us-east-1b', ['ip-10-0-2-20.ec2.internal']],
    ]);
  });
});
