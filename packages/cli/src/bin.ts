#!/usr/bin/env node
import { main } from './main';
import { stdoutWriter } from './stdout';

main(process.argv.slice(2), {
  stdout: stdoutWriter(),
  stderr: (text) => process.stderr.write(text),
  stdin: () => process.stdin,
  env: process.env,
  isTTY: !!process.stdout.isTTY,
  stdinIsTTY: !!process.stdin.isTTY,
  cwd: process.cwd(),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`efs-node-identity: internal error: ${error.message}\n`);
    process.exitCode = 2;
  },
);
