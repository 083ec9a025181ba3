#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): `pyramids --help`, or any call naming no command,
// is answered by dist/help.cjs without starting Node's ES module loader (~10 ms of the cold
// start); every command runs through the ES module dist/main.js.
'use strict';

const { namesNoCommand, runWithoutCommand } = require('../dist/help.cjs');

const run = namesNoCommand(process.argv)
  ? runWithoutCommand(process.argv)
  : import('../dist/main.js').then(({ main }) => main(process.argv));
run.then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`pyramids: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 1;
  },
);
