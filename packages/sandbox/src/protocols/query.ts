import { randomUUID } from 'node:crypto';
import type { AwsError } from '../errors';
import type { SandboxResponse } from '../http';
import { escapeXml, toXml, type XmlObject } from './xml';

/**
 * The AWS query protocol (IAM, STS): `<ActionResponse xmlns=…><ActionResult>…</ActionResult>
 * <ResponseMetadata><RequestId/></ResponseMetadata></ActionResponse>`, lists as `<member>` items.
 */
export function queryResponse(
  action: string,
  namespace: string,
  result: XmlObject | undefined,
): SandboxResponse {
  const requestId = randomUUID();
  const inner = result === undefined ? '' : toXml(`${action}Result`, result, { item: 'member' });
  return {
    status: 200,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<${action}Response xmlns="${namespace}">${inner}<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`,
  };
}

/** `<ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>`, as IAM and STS send it. */
export function queryError(error: AwsError, namespace: string): SandboxResponse {
  const requestId = randomUUID();
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml', 'x-amzn-requestid': requestId },
    body: `<ErrorResponse xmlns="${namespace}"><Error><Type>${error.type}</Type><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
  };
}

/** The EC2 query dialect: `<ActionResponse><requestId/>…fields…</ActionResponse>`, lists as `<item>`. */
export function ec2Response(action: string, result: XmlObject): SandboxResponse {
  const requestId = randomUUID();
  const fields = Object.entries(result)
    .map(([k, v]) => toXml(k, v, { item: 'item' }))
    .join('');
  return {
    status: 200,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><${action}Response xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>${requestId}</requestId>${fields}</${action}Response>`,
  };
}

/** EC2 errors: `<Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>`. */
export function ec2Error(error: AwsError): SandboxResponse {
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml;charset=UTF-8' },
    body: `<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>${escapeXml(error.code)}</Code><Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${randomUUID()}</RequestID></Response>`,
  };
}
