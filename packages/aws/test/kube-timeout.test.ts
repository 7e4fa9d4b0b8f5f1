import { createServer, type Server, type Socket } from 'node:net';
import { createKubePort, KubeTimeoutError } from '../src/kube';

/** An API server that accepts connections and reads requests but never answers (a hung control plane). */
function silentServer(): Promise<{ server: Server; url: string; sockets: Socket[]; requests: string[] }> {
  const sockets: Socket[] = [];
  const requests: string[] = [];
  const server = createServer((socket) => {
    sockets.push(socket);
    socket.on('data', (data) => requests.push(data.toString('latin1').split('\r\n')[0]));
    socket.on('error', () => undefined);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address() as { port: number };
      resolve({ server, url: `http://127.0.0.1:${address.port}`, sockets, requests });
    }),
  );
}

describe('Kubernetes port request timeout', () => {
  let silent: Awaited<ReturnType<typeof silentServer>>;
  beforeAll(async () => {
    silent = await silentServer();
  });
  afterAll(async () => {
    for (const socket of silent.sockets) socket.destroy();
    await new Promise((resolve) => silent.server.close(resolve));
  });

  it('fails a read, a list and a patch that get no answer with an error naming the request and the limit', async () => {
    const calls: string[] = [];
    const port = await createKubePort({
      access: { kind: 'token', server: silent.url, token: 'token-never-logged', clusterName: 'hung' },
      requestTimeoutMs: 300,
      onCall: (operation) => calls.push(operation),
    });
    const error = (await port
      .getServiceAccount('kube-system', 'efs-csi-node-sa')
      .catch((e: unknown) => e)) as Error;
    expect(error).toBeInstanceOf(KubeTimeoutError);
    expect(error.message).toBe('Kubernetes API: no answer to get serviceaccounts within 0.3s');
    await expect(port.listNodes()).rejects.toThrow(/no answer to list nodes within 0\.3s/);
    await expect(
      port.restartDaemonSet('kube-system', 'efs-csi-node', '2026-11-26T00:00:00Z'),
    ).rejects.toThrow(/no answer to patch daemonsets within 0\.3s/);
    // The requests really reached the server (the limit is on the answer, not on connecting), and were counted.
    expect(silent.requests).toEqual(
      expect.arrayContaining([
        'GET /api/v1/namespaces/kube-system/serviceaccounts/efs-csi-node-sa HTTP/1.1',
        expect.stringMatching(/^GET \/api\/v1\/nodes\?limit=500 HTTP\/1\.1$/),
        'PATCH /apis/apps/v1/namespaces/kube-system/daemonsets/efs-csi-node HTTP/1.1',
      ]),
    );
    expect(calls).toEqual(['get serviceaccounts', 'list nodes', 'patch daemonsets']);
  });
});
