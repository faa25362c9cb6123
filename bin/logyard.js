#!/usr/bin/env node
'use strict';
// The CLI runs from the build, like `npm start`: `npm run build` (or `npm test`) first. Its entry is
// resolved through package.json's `imports` map, which names every built entry point in one place.
const ENTRY = '#logyard/cli';
let entry;
let cli;
try {
  entry = require.resolve(ENTRY);
  cli = require(entry);
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND' || (entry && !String(error.message).includes(entry))) throw error;
  process.stderr.write(`logyard: ${ENTRY} is not built; build first with 'npm run build'\n`);
  process.exit(1);
}
cli.runCli(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
