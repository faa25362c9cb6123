#!/usr/bin/env node
'use strict';
/**
 * `npm start`'s build step: compiles into dist/ only when the sources changed
 * since the last build, and never removes dist/ — processes already running
 * from it (a collector, two routers and two archivers started in several
 * terminals) keep their files. Starts racing each other build once: the first
 * takes a lock, the rest wait for it and then find the build fresh.
 * `npm run build` is the clean build: it removes dist/ and runs this, so the
 * stamp it leaves spares the next start a second build.
 *
 * Usage: build-if-stale.js [root]; the build command can be replaced with
 * LOGYARD_BUILD_COMMAND (tests use it to count builds).
 */
const { createHash } = require('node:crypto');
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

/** What tsconfig.build.json compiles, and the files that change how it compiles. */
const SOURCE_DIRS = ['apps', 'libs', 'bench'];
const SOURCE_FILES = ['tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];
const LOCK_POLL_MS = 200;
const LOCK_DEADLINE_MS = 10 * 60_000;

/**
 * A digest of every source's path, size and mtime: an edit, a new file and a
 * deleted one each change it. Taken before building, so an edit made during a
 * build makes the next start build again.
 */
function sourceFingerprint(root) {
  const lines = [];
  const walk = (dir) => {
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (error.code === 'ENOENT') return;
      throw error;
    }
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) lines.push(describe(full));
    }
  };
  const describe = (file) => {
    const stat = fs.statSync(file);
    return `${path.relative(root, file)}\t${stat.size}\t${stat.mtimeMs}`;
  };
  for (const dir of SOURCE_DIRS) walk(path.join(root, dir));
  for (const file of SOURCE_FILES) {
    if (fs.existsSync(path.join(root, file))) lines.push(describe(path.join(root, file)));
  }
  return createHash('sha256').update(lines.sort().join('\n')).digest('hex');
}

function stampFile(root) {
  return path.join(root, 'dist', '.build-stamp');
}

function isFresh(root, fingerprint) {
  try {
    return fs.readFileSync(stampFile(root), 'utf8') === fingerprint;
  } catch {
    return false;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** mkdir is atomic: exactly one of several racing starts creates the lock directory. */
async function withLock(lockDir, work) {
  const deadline = Date.now() + LOCK_DEADLINE_MS;
  fs.mkdirSync(path.dirname(lockDir), { recursive: true });
  for (;;) {
    try {
      fs.mkdirSync(lockDir);
      break;
    } catch (error) {
      if (error.code !== 'EEXIST') throw error;
    }
    // A build killed half-way (Ctrl-C) leaves its lock behind; its owner's pid shows it is gone.
    const owner = Number(readOrEmpty(path.join(lockDir, 'pid')));
    if (owner && !isAlive(owner)) {
      fs.rmSync(lockDir, { recursive: true, force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`gave up waiting for the build lock ${lockDir}`);
    await new Promise((resolve) => setTimeout(resolve, LOCK_POLL_MS));
  }
  try {
    fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
    return await work();
  } finally {
    fs.rmSync(lockDir, { recursive: true, force: true });
  }
}

function readOrEmpty(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function build(root) {
  const command =
    process.env.LOGYARD_BUILD_COMMAND ??
    'tsc -p tsconfig.build.json && tsc-alias -p tsconfig.build.json && vite build --config apps/explorer/vite.config.mts';
  const result = spawnSync(command, {
    cwd: root,
    shell: true,
    stdio: 'inherit',
    env: {
      ...process.env,
      PATH: `${path.join(root, 'node_modules', '.bin')}${path.delimiter}${process.env.PATH}`,
    },
  });
  return result.status === 0;
}

async function main() {
  const root = path.resolve(process.argv[2] ?? path.join(__dirname, '..'));
  if (isFresh(root, sourceFingerprint(root))) return 0;
  const lockDir = path.join(root, 'node_modules', '.cache', 'logyard', 'build.lock');
  return withLock(lockDir, () => {
    // Another start may have built while this one waited for the lock.
    const fingerprint = sourceFingerprint(root);
    if (isFresh(root, fingerprint)) return 0;
    process.stderr.write('logyard: building dist/ (sources changed since the last build)\n');
    if (!build(root)) return 1;
    fs.writeFileSync(stampFile(root), fingerprint);
    return 0;
  });
}

main().then(
  (code) => (process.exitCode = code),
  (error) => {
    process.stderr.write(`logyard: ${error.message}\n`);
    process.exitCode = 1;
  },
);
