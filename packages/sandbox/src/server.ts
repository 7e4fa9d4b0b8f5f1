import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { authenticate } from './auth';
import { AwsError } from './errors';
import {
  credentialScope,
  jsonNesting,
  MAX_BODY_NESTING,
  type SandboxRequest,
  type SandboxResponse,
} from './http';
import { Faults } from './faults';
import { handleExecUpgrade } from './kube/node-exec';
import { CallLog } from './log';
import { enforcePermissions } from './permissions';
import { ROUTES } from './routes';
import { loadScenario, readScenario } from './scenarios/load';
import type { ScenarioData } from './scenarios/schema';
import { SERVICES } from './services';
import type { ServiceModule } from './services/module';
import { newState, type SandboxState } from './state/account';

/** Requests larger than this are refused (413): nothing the product sends comes close. */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export interface SandboxOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  port?: number;
  /**
   * A scenario to load: the name of a bundled one (`scenarios/<name>.yaml`) or parsed scenario data. Loaded after the
   * server listens (cluster endpoints need its URL) and before `seed`.
   */
  scenario?: string | ScenarioData;
  /** Seeds the state once the server listens and before the first request is answered (after `scenario`). */
  seed?: (state: SandboxState) => void;
  region?: string;
  /**
   * Judge every AWS call against the caller's identity policies (`state.settings.enforcePermissions`); overrides the
   * scenario's setting when given.
   */
  enforcePermissions?: boolean;
}

export interface Sandbox {
  url: string;
  port: number;
  state: SandboxState;
  log: CallLog;
  faults: Faults;
  stop(): Promise<void>;
}

/** Starts the sandbox: one HTTP server on 127.0.0.1 for every service. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  // Read and validate the scenario before listening, so a bad name or file fails without a server to clean up.
  const scenario = typeof options.scenario === 'string' ? readScenario(options.scenario) : options.scenario;
  const state = newState(options.region);
  const log = new CallLog();
  const faults = new Faults();
  const server: Server = createServer((req, res) => {
    void serve(req, res, state, log, faults);
  });
  // A request Node's HTTP parser refuses (a URL or headers over its 16 KB limit, a malformed request line). Node's
  // default answers and destroys the socket at once, so a client still sending its long request reads a connection
  // reset instead of the answer. Answer, then let the client finish sending (the rest is discarded) before closing.
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    socket.on('error', () => undefined);
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = tooLarge ? 'the request line and headers exceed 16 KB' : 'malformed HTTP request';
    socket.end(
      `HTTP/1.1 ${status}\r\ncontent-type: text/plain\r\ncontent-length: ${body.length}\r\nconnection: close\r\n\r\n${body}`,
    );
    socket.resume();
    setTimeout(() => socket.destroy(), 5_000).unref();
  });
  // `pods/exec` is a WebSocket upgrade (the channel protocol); nothing else upgrades.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => undefined);
    if (!(req.url ?? '').startsWith('/k8s/')) {
      socket.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
      return;
    }
    void handleExecUpgrade(req, socket, head, state, { log, faults });
  });
  // Only loopback: the sandbox is test and demo infrastructure and must never be reachable from elsewhere.
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  state.baseUrl = `http://127.0.0.1:${port}`;
  try {
    if (scenario)
      loadScenario(
        state,
        scenario,
        typeof options.scenario === 'string' ? `${options.scenario}.yaml` : 'scenario',
      );
    options.seed?.(state);
  } catch (error) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    throw error;
  }
  if (options.enforcePermissions !== undefined)
    state.settings.enforcePermissions = options.enforcePermissions;
  return {
    url: state.baseUrl,
    port,
    state,
    log,
    faults,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new AwsError(413, 'RequestEntityTooLarge', 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, response: SandboxResponse): void {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(response.status, {
    ...response.headers,
    'content-length': Buffer.byteLength(response.body).toString(),
  });
  res.end(response.body);
}

async function serve(
  req: IncomingMessage,
  res: ServerResponse,
  state: SandboxState,
  log: CallLog,
  faults: Faults,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  let request: SandboxRequest;
  try {
    request = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body: await readBody(req),
    };
  } catch (error) {
    const e =
      error instanceof AwsError ? error : new AwsError(400, 'BadRequest', 'could not read the request');
    send(res, { status: e.status, headers: { 'content-type': 'text/plain' }, body: e.message });
    return;
  }
  try {
    for (const route of ROUTES) {
      const answer = await route(request, state, { log, faults });
      if (answer) {
        send(res, answer);
        return;
      }
    }
  } catch (error) {
    send(res, {
      status: 500,
      headers: { 'content-type': 'text/plain' },
      body: `sandbox error: ${(error as Error).message}`,
    });
    return;
  }
  const scope = credentialScope(request.headers, request.query);
  const module = scope ? SERVICES.find((s) => s.signingName === scope.service) : undefined;
  if (!scope || !module) {
    send(res, {
      status: 400,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' },
      body: JSON.stringify({
        message: scope ? `no such service: ${scope.service}` : 'the request is not signed with SigV4',
      }),
    });
    return;
  }
  request.service = scope.service;
  request.region = scope.region;
  request.accessKeyId = scope.accessKeyId;
  const contentType = String(request.headers['content-type'] ?? '');
  if (request.method === 'POST' && contentType.startsWith('application/x-www-form-urlencoded')) {
    request.form = new URLSearchParams(request.body);
  }
  await dispatch(module, request, res, state, log, faults);
}

async function dispatch(
  module: ServiceModule,
  request: SandboxRequest,
  res: ServerResponse,
  state: SandboxState,
  log: CallLog,
  faults: Faults,
): Promise<void> {
  const operation = module.operation(request) ?? 'Unknown';
  let response: SandboxResponse;
  let callerArn: string | undefined;
  let accountId: string | undefined;
  try {
    const fault = faults.match(module.signingName, operation);
    if (fault.latencyMs > 0) await new Promise((r) => setTimeout(r, fault.latencyMs));
    if (fault.fail === 'timeout') {
      log.record({
        at: state.now(),
        service: module.signingName,
        operation,
        status: 0,
        errorCode: 'Timeout',
      });
      return; // Never answer: the client's own timeout fires.
    }
    if (fault.fail === 'throttle') throw module.throttlingError();
    if (fault.fail === 'server')
      throw new AwsError(
        500,
        'InternalFailure',
        'The request processing has failed because of an unknown error.',
      );
    if (jsonNesting(request.body) > MAX_BODY_NESTING)
      throw new AwsError(
        400,
        'SerializationException',
        `the request body nests deeper than ${MAX_BODY_NESTING} levels`,
      );
    const caller = authenticate(request, state);
    callerArn = caller.principalArn;
    accountId = caller.accountId;
    const account = state.accounts.get(caller.accountId);
    if (!account)
      throw new AwsError(
        403,
        'InvalidClientTokenId',
        'The security token included in the request is invalid.',
      );
    const region = request.region ?? state.defaultRegion;
    // After authentication and faults, before the service: a refused call changes nothing, as in AWS.
    enforcePermissions(state, module.signingName, operation, request, caller, region);
    response = await module.handle(request, { state, caller, account, region, log });
  } catch (error) {
    const awsError =
      error instanceof AwsError
        ? error
        : new AwsError(
            500,
            'InternalFailure',
            `sandbox error in ${module.signingName}:${operation}: ${(error as Error).message}`,
          );
    response = module.error(awsError);
    log.record({
      at: state.now(),
      service: module.signingName,
      operation,
      accountId,
      principalArn: callerArn,
      status: response.status,
      errorCode: awsError.code,
    });
    send(res, response);
    return;
  }
  log.record({
    at: state.now(),
    service: module.signingName,
    operation,
    accountId,
    principalArn: callerArn,
    status: response.status,
  });
  send(res, response);
}
