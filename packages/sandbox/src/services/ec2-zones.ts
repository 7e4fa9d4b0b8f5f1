import { createHash } from 'node:crypto';
import type { Account } from '../state/account';
import type { AvailabilityZoneMapping } from '../state/ec2';

const DIRECTIONS: Record<string, string> = {
  east: 'e',
  west: 'w',
  north: 'n',
  south: 's',
  central: 'c',
  northeast: 'ne',
  northwest: 'nw',
  southeast: 'se',
  southwest: 'sw',
};

/** `eu-west-1` → `euw1`, `ap-northeast-1` → `apne1`: the prefix of the region's AZ IDs (`euw1-az1`). */
export function zoneIdPrefix(region: string): string {
  const [geo, direction, number] = region.split('-');
  if (!geo || !direction || !number) return region.replace(/-/g, '');
  return `${geo}${DIRECTIONS[direction] ?? direction}${number}`;
}

/**
 * The mapping an account gets when nothing seeded one: three zones, names `<region>a..c`, IDs `<prefix>-az1..3`,
 * the name → ID assignment shuffled by the account ID. AWS assigns it per account at random; deriving it from the
 * account ID keeps scenarios reproducible while two accounts still (usually) disagree, which is what XA-02 is about.
 */
export function defaultAvailabilityZones(accountId: string, region: string): AvailabilityZoneMapping[] {
  const prefix = zoneIdPrefix(region);
  const ids = [1, 2, 3].map((n) => `${prefix}-az${n}`);
  const digest = createHash('sha256').update(`${accountId}/${region}`).digest();
  // Fisher–Yates with the digest's bytes as the random source.
  for (let i = ids.length - 1; i > 0; i--) {
    const j = digest[i] % (i + 1);
    [ids[i], ids[j]] = [ids[j], ids[i]];
  }
  return ids.map((zoneId, i) => ({ zoneName: `${region}${String.fromCharCode(97 + i)}`, zoneId, region }));
}

/** The account's zones in a region: the seeded ones, or the default mapping when the region has none seeded. */
export function zonesFor(account: Account, region: string): AvailabilityZoneMapping[] {
  const seeded = account.ec2.availabilityZones.filter((z) => z.region === region);
  return seeded.length > 0 ? seeded : defaultAvailabilityZones(account.id, region);
}

/** Seeds the default mapping for a region if the account has none there, so later lookups stay stable. */
export function ensureZones(account: Account, region: string): AvailabilityZoneMapping[] {
  const zones = zonesFor(account, region);
  if (!account.ec2.availabilityZones.some((z) => z.region === region))
    account.ec2.availabilityZones.push(...zones);
  return zones;
}

/** The region an AZ name belongs to: `eu-west-1a` → `eu-west-1`. */
export function regionOfZoneName(zoneName: string): string {
  return zoneName.replace(/[a-z]$/, '');
}
