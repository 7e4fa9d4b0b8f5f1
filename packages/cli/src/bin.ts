#!/usr/bin/env node
import { main } from './main';

main(process.argv.slice(2), {
  stdout: (text) => process.stdout.write(text),
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
