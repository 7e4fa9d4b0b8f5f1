import { Faults, parseFaultRules } from './faults';

describe('fault rules', () => {
  it('reads rules from JSON, one object or a list', () => {
    expect(parseFaultRules('{"service":"eks","fail":"throttle","times":2}')).toEqual([
      { service: 'eks', fail: 'throttle', times: 2 },
    ]);
    expect(
      parseFaultRules('[{"latencyMs":50},{"operation":"PutFileSystemPolicy","fail":"server"}]'),
    ).toHaveLength(2);
  });

  it('names the bad rule and field', () => {
    expect(() => parseFaultRules('[{"latencyMs":50},{"fail":"explode"}]')).toThrow(/faults: .*1.*fail/);
    expect(() => parseFaultRules('[{"latency":5}]')).toThrow(/latency/);
    expect(() => parseFaultRules('nope')).toThrow(/not valid JSON/);
  });

  it('applies a rule to the next `times` matching calls only', () => {
    const faults = new Faults();
    for (const rule of parseFaultRules('{"service":"eks","fail":"throttle","times":1}')) faults.add(rule);
    expect(faults.match('eks', 'DescribeCluster').fail).toBe('throttle');
    expect(faults.match('eks', 'DescribeCluster').fail).toBeUndefined();
    expect(faults.match('iam', 'GetRole').fail).toBeUndefined();
  });
});
