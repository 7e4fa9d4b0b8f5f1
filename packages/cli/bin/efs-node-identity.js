#!/usr/bin/env node
// The command's entry point. It lives outside dist/ so that `npm ci` on a fresh clone links it before anything is
// built (npm does not link a bin whose file is missing); it runs the build's output.
require('../dist/bin.js');
