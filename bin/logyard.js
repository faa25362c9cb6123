#!/usr/bin/env node
'use strict';
// The CLI runs from the build, like `npm start`: `npm run build` (or `npm test`) first.
const path = require('node:path');

const entry = path.join(__dirname, '..', 'dist', 'libs', 'cli', 'src', 'index.js');
let cli;
try {
  cli = require(entry);
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || !String(error.message).includes(entry)) throw error;
  process.stderr.write(`logyard: ${entry} is missing; build first with 'npm run build'\n`);
  process.exit(1);
}
cli.runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
