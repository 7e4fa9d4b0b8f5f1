import { defaultConfig } from '../config/config';
import { emptySnapshot } from '../model/snapshot';
import { evaluateSnapshot } from './engine';
import type { Rule } from './rule';

const rule = (id: string, check: Rule['check'], requires: Rule['requires'] = ['S']): Rule => ({
  id,
  severity: 'error',
  title: `rule ${id}`,
  requires,
  check,
});

describe('evaluateSnapshot', () => {
  it('runs only the rules whose inputs the snapshot has', () => {
    const rules = [
      rule('XX-01', () => [{ message: 'static' }]),
      rule('XX-02', () => [{ message: 'live' }], ['A']),
    ];
    const { findings } = evaluateSnapshot(emptySnapshot(['S']), defaultConfig(), { rules });
    expect(findings.map((f) => f.ruleId)).toEqual(['XX-01']);
  });

  it('reports a rule that throws as undecidable and keeps the other findings', () => {
    const rules = [
      rule('XX-01', () => {
        throw new Error('boom');
      }),
      rule('XX-02', () => [{ message: 'still here' }]),
    ];
    const { findings } = evaluateSnapshot(emptySnapshot(['S']), defaultConfig(), { rules });
    expect(findings.find((f) => f.ruleId === 'XX-01')).toMatchObject({
      severity: 'warning',
      undecidable: true,
      message: expect.stringMatching(/internal error \(boom\)/),
    });
    expect(findings.find((f) => f.ruleId === 'XX-02')?.message).toBe('still here');
  });

  it('applies severity overrides and turns rules off', () => {
    const rules = [rule('XX-01', () => [{ message: 'a' }]), rule('XX-02', () => [{ message: 'b' }])];
    const config = { ...defaultConfig(), severities: { 'XX-01': 'info' as const, 'XX-02': 'off' as const } };
    const { findings } = evaluateSnapshot(emptySnapshot(['S']), config, { rules });
    expect(findings).toEqual([expect.objectContaining({ ruleId: 'XX-01', severity: 'info' })]);
  });
});
