import { ALL_RULES } from './catalog';
import { checkLive, healthyIrsaSnapshot, healthyLiveSnapshot } from './live-testing';

const LIVE_ONLY = ['PI-01', 'PI-06', 'PI-07', 'PI-09', 'IR-01', 'IR-04', 'AD-03', 'AD-04', 'FS-01', 'FS-06'];

// The baseline the live rules' tests mutate: a correct setup must produce no finding from any rule.
describe('a healthy live snapshot', () => {
  it('is silent for every rule (Pod Identity)', () => {
    expect(checkLive(healthyLiveSnapshot())).toEqual([]);
  });

  it('is silent for every rule (IRSA)', () => {
    expect(checkLive(healthyIrsaSnapshot())).toEqual([]);
  });

  it('holds the live-only rules in the catalog, none of which runs on static input', () => {
    for (const id of LIVE_ONLY) {
      const rule = ALL_RULES.find((r) => r.id === id);
      expect(rule?.requires).not.toContain('S');
    }
    const staticOnly = { ...healthyLiveSnapshot(), inputs: ['S' as const] };
    staticOnly.fileSystems[0].policy = null;
    staticOnly.addons[0].status = 'DEGRADED';
    expect(checkLive(staticOnly).filter((f) => LIVE_ONLY.includes(f.ruleId))).toEqual([]);
  });
});
