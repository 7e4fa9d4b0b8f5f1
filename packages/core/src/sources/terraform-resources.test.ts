import { fileOrigin } from '../model/origin';
import { unknown } from '../model/unknown';
import {
  computedAttribute,
  encodeJson,
  renderPolicyDocument,
  TfEncoded,
  type TfObject,
} from './terraform-resources';

describe('terraform-resources', () => {
  it('encodes JSON as jsonencode does: sorted keys, HTML characters escaped, nothing when a part is unknown', () => {
    expect(encodeJson({ b: '<a&b>', a: [1, true, null] })).toBe(
      '{"a":[1,true,null],"b":"\\u003ca\\u0026b\\u003e"}',
    );
    expect(encodeJson({ a: unknown('var.x') })).toBeUndefined();
  });

  it('renders an aws_iam_policy_document with one-element lists collapsed and overrides merged by Sid', () => {
    const override = new TfEncoded(
      'json',
      { Statement: [{ Sid: 'A', Effect: 'Deny', Action: 'x:Y', Resource: '*' }] },
      '{}',
    );
    const values: TfObject = {
      statement: [
        {
          sid: 'A',
          actions: ['elasticfilesystem:ClientMount'],
          principals: [{ type: '*', identifiers: ['*'] }],
        },
        { sid: 'B', effect: 'Allow', actions: ['b:B', 'a:A'] },
      ],
      override_policy_documents: [override],
    };
    const doc = renderPolicyDocument(values, fileOrigin('main.tf', 3));
    expect(doc.value).toEqual({
      Version: '2012-10-17',
      Statement: [
        { Sid: 'A', Effect: 'Deny', Action: 'x:Y', Resource: '*' },
        { Sid: 'B', Effect: 'Allow', Action: ['a:A', 'b:B'] },
      ],
    });
    expect(JSON.parse(doc.text!)).toEqual(doc.value);
  });

  it('derives ARNs only when the account and partition are known', () => {
    const get = (name: string) => ({ name: 'efs-node' })[name];
    expect(computedAttribute('managed', 'aws_iam_role', 'arn', get, {})).toBeUndefined();
    expect(
      computedAttribute('managed', 'aws_iam_role', 'arn', get, {
        accountId: '111122223333',
        partition: 'aws',
      }),
    ).toBe('arn:aws:iam::111122223333:role/efs-node');
    expect(computedAttribute('managed', 'aws_iam_role', 'id', get, {})).toBe('efs-node');
    // an account that is not in the files stays undetermined: the caller reports it as unknown
    expect(computedAttribute('data', 'aws_caller_identity', 'account_id', get, {})).toBeUndefined();
  });
});
