import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { explorerBuildDirectory, loadExplorerBuild } from './explorer-build';

describe(loadExplorerBuild.name, () => {
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'explorer-build-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  it('holds index.html and the assets it knows a content type for, plain and gzipped', () => {
    mkdirSync(join(directory, 'assets'));
    writeFileSync(join(directory, 'index.html'), '<!doctype html>');
    writeFileSync(join(directory, 'assets', 'index-abc.js'), 'console.log(1)');
    writeFileSync(join(directory, 'assets', 'notes.txt'), 'not served');

    const sut = loadExplorerBuild(directory);

    expect(sut?.index.contentType).toBe('text/html; charset=utf-8');
    expect([...(sut?.assets.keys() ?? [])]).toEqual(['index-abc.js']);
    const script = sut?.assets.get('index-abc.js');
    expect(script?.contentType).toBe('text/javascript; charset=utf-8');
    expect(gunzipSync(script?.gzipped ?? Buffer.alloc(0)).toString()).toBe('console.log(1)');
  });

  it('is undefined before the explorer is built', () => {
    expect(loadExplorerBuild(directory)).toBeUndefined();
  });
});

describe(explorerBuildDirectory.name, () => {
  it('finds dist/explorer under the package root from source and from dist alike', () => {
    const root = resolve(__dirname, '../../../..');
    expect(explorerBuildDirectory(__dirname)).toBe(join(root, 'dist', 'explorer'));
    expect(explorerBuildDirectory(join(root, 'dist', 'apps', 'archiver', 'src', 'explorer'))).toBe(
      join(root, 'dist', 'explorer'),
    );
  });
});
