import * as path from 'node:path';
import {
  HOSTILE_STRINGS,
  campaignRuns,
  campaignSeeds,
  hugeString,
  mutate,
  preview,
  readFixtures,
  Rng,
} from './__fuzz__/kit';
import { parseMountStateOutput, parsePluginLog } from './node-inspection';

/**
 * Fuzz campaign of what the node pods return (NR-03's mount state files, LG-01's `efs-plugin` log): 3,000 inputs, the
 * real state files and log mutated, framed the way MOUNT_STATE_COMMAND prints them (with lying sizes, missing
 * newlines, too many files), plus generated state JSON of the wrong types. Nothing may throw, and no control
 * character or escape sequence may survive into what is kept (it is printed on the user's terminal). Each input has
 * its own seed: FUZZ_SEED=<seed> replays it, FUZZ_RUNS sets the number of inputs.
 */

const RUNS = campaignRuns(3000);
// Huge strings up to 60,000 characters (a state file is read up to 64 KiB, a log line cut at 4,096).
const LIMITS = { hugeMax: 60_000 };
const DIR = path.join(__dirname, '__fixtures__', 'node-inspection');
const STATE_FILES = readFixtures([DIR], /\.\d+$/);
const LOG = readFixtures([DIR], /\.log$/)[0]!;
const POD = { namespace: 'kube-system', name: 'efs-csi-node-x' };
// C0 and C1 controls (newline and tab are allowed only where a parser says so; none of these fields keep them),
// ESC, and the bidirectional overrides that reorder terminal output.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

function stateJson(rng: Rng): string {
  const value = () =>
    rng.pick<unknown>([
      null,
      1,
      -1,
      1e308,
      1780395700.52,
      [],
      {},
      true,
      '',
      rng.pick(HOSTILE_STRINGS),
      'podidentity:http://169.254.170.23/v1/credentials,/var/run/secrets/token',
      'webidentity:arn:aws:iam::111122223333:role/x,/token',
      'metadata:',
      'fs-0123456789abcdef0',
      '/var/lib/kubelet/pods/3f1c2a7e-8b4d-4e6f-9a10-2b3c4d5e6f70/volumes/kubernetes.io~csi/pv\u001b[2J/mount',
      hugeString(rng).slice(0, 70_000),
    ]);
  const keys = [
    'fsId',
    'mountpoint',
    'awsCredentialsMethod',
    'accessPoint',
    'region',
    'mount_time',
    '__proto__',
    'constructor',
  ];
  const parts = keys
    .filter(() => rng.chance(0.6))
    .map((k) => `${JSON.stringify(k)}: ${JSON.stringify(value()) ?? 'null'}`);
  return `{${parts.join(', ')}}`;
}

/** The output of MOUNT_STATE_COMMAND for some state files: `file <size> <name>\n<content>\n` each, sometimes lying. */
function commandOutput(rng: Rng): { bytes: Buffer; truncated: boolean; how: string } {
  const hows: string[] = [];
  const chunks: Buffer[] = [];
  const files = rng.chance(0.02) ? rng.int(490, 520) : rng.int(0, 4);
  for (let i = 0; i < files; i++) {
    let content: string;
    if (rng.chance(0.4)) content = stateJson(rng);
    else {
      const m = mutate(rng, rng.pick(STATE_FILES).text, LIMITS);
      content = m.text;
      hows.push(m.how);
    }
    const bytes = Buffer.from(content, 'utf8');
    const size = rng.pick([
      bytes.length,
      bytes.length,
      bytes.length,
      bytes.length + rng.int(1, 50),
      Math.max(0, bytes.length - rng.int(1, 50)),
      10 ** rng.int(5, 15),
      -1,
    ]);
    const name = rng.pick([
      path.basename(rng.pick(STATE_FILES).file),
      `fs-0123456789abcdef0.${rng.pick(HOSTILE_STRINGS)}`,
      '../../etc/shadow',
      '\u001b[31mred',
      '',
    ]);
    chunks.push(
      Buffer.from(`file ${size} ${name}${rng.chance(0.95) ? '\n' : ''}`),
      bytes,
      Buffer.from(rng.chance(0.95) ? '\n' : ''),
    );
  }
  let out = Buffer.concat(chunks);
  if (rng.chance(0.1)) {
    const i = rng.int(0, out.length);
    out = Buffer.concat([
      out.subarray(0, i),
      Buffer.from([rng.int(0, 255), rng.int(0, 255)]),
      out.subarray(i),
    ]);
    hows.push(`2 random bytes at ${i}`);
  }
  if (rng.chance(0.1)) {
    out = out.subarray(0, rng.int(0, out.length));
    hows.push('cut');
  }
  return { bytes: out, truncated: rng.chance(0.2), how: `${files} file(s); ${hows.join('; ')}` };
}

function pluginLog(rng: Rng): { text: string; how: string } {
  if (rng.chance(0.3)) {
    const lines = Array.from({ length: rng.int(0, 30) }, () => {
      const stamp = rng.pick([
        '2026-11-26T10:14:22.503117000Z ',
        '9999-99-99T99:99:99Z ',
        '2026-02-30T25:61:61+99:99 ',
        '',
      ]);
      return (
        stamp +
        rng.pick([
          'mount.nfs4: access denied by server while mounting 127.0.0.1:/',
          'Failed to resolve "fs-1.efs.eu-west-1.amazonaws.com"',
          `access denied by server ${rng.pick(HOSTILE_STRINGS)}`,
          `\u001b]0;owned\u0007Connection timed out \u001b[2J`,
          'x'.repeat(rng.int(0, 20_000)) + ' access denied by server',
          rng.pick(HOSTILE_STRINGS),
        ])
      );
    });
    return { text: lines.join(rng.pick(['\n', '\r\n', '\r'])), how: `generated ${lines.length} lines` };
  }
  const m = mutate(rng, LOG.text, LIMITS);
  return { text: m.text, how: m.how };
}

function unprintable(values: unknown): string | undefined {
  const seen: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') {
      if (UNPRINTABLE.test(v)) seen.push(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(values);
  return seen.length > 0 ? `kept text with control characters: ${preview(seen[0]!, 120)}` : undefined;
}

describe('fuzz: the node inspection parsers on 3,000 malformed inputs', () => {
  it('has the real state files and log to mutate', () => {
    expect(STATE_FILES.length).toBeGreaterThanOrEqual(2);
    expect(LOG.text).toMatch(/access denied by server/);
  });

  it('never throw, and keep only printable text', () => {
    const crashes: string[] = [];
    for (const seed of campaignSeeds('node-inspection', RUNS)) {
      const rng = new Rng(seed);
      let crash: string | undefined;
      let input: { how: string; shown: string };
      if (rng.chance(0.6)) {
        const out = commandOutput(rng);
        input = { how: `state files: ${out.how}`, shown: preview(out.bytes.toString('latin1')) };
        try {
          const result = parseMountStateOutput(new Uint8Array(out.bytes), POD, out.truncated);
          crash = unprintable(result);
        } catch (error) {
          crash = `threw ${(error as Error).stack ?? String(error)}`;
        }
      } else {
        const log = pluginLog(rng);
        input = { how: `log: ${log.how}`, shown: preview(log.text) };
        try {
          crash = unprintable(parsePluginLog(log.text, rng.chance(0.2)));
        } catch (error) {
          crash = `threw ${(error as Error).stack ?? String(error)}`;
        }
      }
      if (crash)
        crashes.push(
          `FUZZ_SEED=${seed} (${input.how.slice(0, 300)}): ${crash.slice(0, 1500)}\n  input: ${input.shown}`,
        );
      if (crashes.length >= 5) break;
    }
    if (crashes.length > 0) console.error(crashes.join('\n\n'));
    expect(crashes).toEqual([]);
  }, 300_000);
});
