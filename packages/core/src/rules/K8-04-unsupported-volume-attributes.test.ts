import { checkFixture, only } from './testing';

describe('K8-04', () => {
  it('flags `path`, removed in driver v3, with a fix that moves it into the volumeHandle', async () => {
    const findings = only(await checkFixture('K8-04/fires-path'), 'K8-04');
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({ severity: 'error', origin: { file: 'pv.yaml', line: 17 } });
    expect(findings[0].message).toContain('Volume context property path not supported.');
    expect(findings[0].fix).toContain('<fs-id>:/data');
  });

  it('flags values the driver cannot parse: booleans and the mount target IP', async () => {
    const findings = only(await checkFixture('K8-04/fires-bad-values'), 'K8-04');
    expect(findings.map((f) => f.message.match(/`(\w+):/)?.[1]).sort()).toEqual([
      'crossaccount',
      'encryptInTransit',
      'mounttargetip',
    ]);
  });

  it('accepts the supported keys in any case, IPv6 targets and an IP map', async () => {
    expect(only(await checkFixture('K8-04/passes'), 'K8-04')).toEqual([]);
  });

  it('reports an unknown value as undecidable', async () => {
    const findings = only(await checkFixture('K8-04/undecidable'), 'K8-04');
    expect(findings).toHaveLength(1);
    expect(findings[0].undecidable).toBe(true);
  });
});
