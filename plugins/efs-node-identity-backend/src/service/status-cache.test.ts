import type { EntityStatusResponse } from '@efs-node-identity/backstage-plugin-common';
import { StatusCache } from './status-cache';

function status(entityRef: string, state: EntityStatusResponse['state']): EntityStatusResponse {
  return {
    entityRef,
    clusterArn: 'arn:aws:eks:eu-west-1:111122223333:cluster/prod',
    fileSystemIds: [],
    state,
    findings: [],
    counts: { error: 0, warning: 0, info: 0 },
    notRead: [],
  };
}

describe('StatusCache', () => {
  it('answers the stored object until the entry is ttl old, then forgets it', () => {
    let now = 1_000;
    const cache = new StatusCache(10_000, 100, () => now);
    const value = status('component:default/payments', 'ok');
    cache.set('component:default/payments', value);
    now += 9_999;
    expect(cache.get('component:default/payments')).toBe(value);
    now += 1;
    expect(cache.get('component:default/payments')).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('compares entity refs as the catalog does, without regard to case', () => {
    const cache = new StatusCache(10_000);
    const value = status('component:default/Payments', 'failing');
    cache.set('component:default/Payments', value);
    expect(cache.get('Component:Default/payments')).toBe(value);
    const newer = status('component:default/Payments', 'ok');
    cache.set('component:default/payments', newer);
    expect(cache.get('component:default/Payments')).toBe(newer);
    expect(cache.size).toBe(1);
  });

  it('keeps at most maxEntries refs and drops the least recently read first', () => {
    const cache = new StatusCache(10_000, 2);
    cache.set('component:default/a', status('component:default/a', 'ok'));
    cache.set('component:default/b', status('component:default/b', 'ok'));
    expect(cache.get('component:default/a')).toBeDefined(); // a is now the most recently read
    cache.set('component:default/c', status('component:default/c', 'ok'));
    expect(cache.get('component:default/b')).toBeUndefined();
    expect(cache.get('component:default/a')).toBeDefined();
    expect(cache.get('component:default/c')).toBeDefined();
  });

  it('with a ttl of 0 caches nothing', () => {
    const cache = new StatusCache(0);
    cache.set('component:default/a', status('component:default/a', 'ok'));
    expect(cache.get('component:default/a')).toBeUndefined();
  });
});
