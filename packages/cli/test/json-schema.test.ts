import Ajv2020 from 'ajv/dist/2020';
import * as path from 'node:path';
import schema from '../../core/schema/check-output.schema.json';
import { REPO_ROOT, runCli, SHARED_FIXTURES } from './run-cli';

describe('check --format json follows the published JSON Schema', () => {
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(schema);

  it.each([
    ['seed-deny-only', SHARED_FIXTURES],
    ['seed-corrected-policy', SHARED_FIXTURES],
    ['broken', path.join(REPO_ROOT, 'examples')],
    ['pod-identity', path.join(REPO_ROOT, 'examples')],
  ])('on %s', (name, base) => {
    const output = JSON.parse(runCli(['check', path.join(base, name), '--format', 'json']).stdout);
    const valid = validate(output);
    expect(validate.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
  });
});
