import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

// The clients of Logyard — the CLI, the SDK and the web explorer — take the API from libs/contracts and the
// broker's wire from the Nest-free client entries (@logyard/amqp/client, @logyard/config/env): nothing the
// server runs reaches their bundles (docs/design.md §1, §9). This walks each one's import graph as the
// compiler resolves it, type-only imports aside (they leave no code behind).

const ROOT = join(__dirname, '..', '..', '..');
const { config } = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile);
const options = ts.parseJsonConfigFileContent(config, ts.sys, ROOT).options;

/** Packages only the server runs. */
const SERVER_PACKAGES = [
  '@nestjs/core',
  '@nestjs/platform-express',
  '@nestjs/swagger',
  'prom-client',
  'pg',
  'typeorm',
];
/** Server code among the first-party files. */
const SERVER_FILES = [
  /^apps\/(archiver|collector|router|logyard)\//,
  /^libs\/(db|observability|runtime|auth)\//,
  /^libs\/amqp\/src\/(amqp\.module|amqp-connection|queue-consumer|batch-consumer|confirm-publisher|dead-letter\.publisher|broker\.health)\.ts$/,
  /^libs\/config\/src\/config\.module\.ts$/,
];

/** Every first-party file and every package the code reachable from `entry` loads at run time. */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const pending = [join(ROOT, entry)];
  while (pending.length) {
    const file = pending.pop()!;
    const name = relative(ROOT, file);
    if (files.has(name)) continue;
    files.add(name);
    for (const specifier of runtimeImports(file)) {
      const resolved = ts.resolveModuleName(specifier, file, options, ts.sys).resolvedModule;
      if (!resolved) {
        // A stylesheet the bundler takes, or a package without types: a leaf either way.
        if (!specifier.startsWith('.')) packages.add(packageName(specifier));
      } else if (resolved.isExternalLibraryImport) {
        packages.add(packageName(specifier));
      } else {
        pending.push(resolved.resolvedFileName);
      }
    }
  }
  return { files, packages };
}

function runtimeImports(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, false);
  const specifiers: string[] = [];
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) && !statement.importClause?.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(statement) && statement.moduleSpecifier && !statement.isTypeOnly) {
      specifiers.push((statement.moduleSpecifier as ts.StringLiteral).text);
    }
  }
  return specifiers;
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

describe('the clients import no server code', () => {
  it.each([
    ['the CLI', 'apps/cli/src/index.ts', []],
    // The SDK is a NestJS LoggerService: @nestjs/common is its host's, and nothing more of Nest.
    ['the SDK', 'libs/sdk/src/index.ts', ['@nestjs/common']],
    ['the explorer', 'apps/explorer/src/main.tsx', []],
  ])('%s', (_, entry, allowedNest) => {
    const { files, packages } = importGraph(entry);
    expect(files.size).toBeGreaterThan(3);
    expect([...files].filter((file) => SERVER_FILES.some((pattern) => pattern.test(file)))).toEqual([]);
    const server = [...packages].filter(
      (name) =>
        SERVER_PACKAGES.includes(name) || (name.startsWith('@nestjs/') && !allowedNest.includes(name)),
    );
    expect(server).toEqual([]);
    expect([...files].some((file) => file.startsWith('libs/contracts/'))).toBe(true);
  });

  it('would see server code reached through a lib index', () => {
    const { files, packages } = importGraph('libs/amqp/src/index.ts');
    expect([...files]).toContain('libs/amqp/src/amqp.module.ts');
    expect([...packages]).toContain('@nestjs/common');
  });
});
