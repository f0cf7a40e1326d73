/**
 * The layer order of ARCHITECTURE.md, held against the code: every import in src/ (static, `import type`,
 * re-exports and lazy `import()`) runs down a layer or stays inside its own folder, and no two files
 * import each other, directly or round a loop.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const srcDir = fileURLToPath(new URL('../../src/', import.meta.url));

/** Top to bottom, as ARCHITECTURE.md draws them; folders on one line are one floor and do not import each other. */
const floors: ReadonlyArray<readonly string[]> = [
  ['cli'],
  ['batch', 'tune'],
  ['run'],
  ['strategies', 'render', 'report'],
  ['templates', 'scoring'],
  ['core', 'config'],
  ['errors.ts'],
];

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sourceFiles(join(directory, entry.name))
      : entry.name.endsWith('.ts')
        ? [relative(srcDir, join(directory, entry.name))]
        : [],
  );
}

/** Every module a file names: `from '...'` (imports, type imports, re-exports) and `import('...')`. */
function importedSpecifiers(text: string): string[] {
  const specifiers: string[] = [];
  for (const match of text.matchAll(/\bfrom\s+'([^']+)'|\bimport\(\s*'([^']+)'\s*\)|^import\s+'([^']+)'/gm))
    specifiers.push((match[1] ?? match[2] ?? match[3])!);
  return specifiers;
}

/** The src-relative files a file imports (packages and node: modules left out). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(srcDir, file), 'utf8');
  return importedSpecifiers(text)
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => relative(srcDir, resolve(dirname(join(srcDir, file)), specifier.replace(/\.js$/, '.ts'))));
}

const part = (file: string): string => (file.includes('/') ? file.split('/')[0]! : file);
const floorOf = (file: string): number => floors.findIndex((floor) => floor.includes(part(file)));

const files = sourceFiles(srcDir);
const graph = new Map(files.map((file) => [file, importsOf(file)]));

/** Strongly connected components of more than one file (Tarjan). */
function importCircles(): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const circles: string[][] = [];
  let counter = 0;
  const visit = (file: string): void => {
    index.set(file, counter);
    low.set(file, counter);
    counter++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file) ?? []) {
      if (!graph.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, index.get(next)!));
    }
    if (low.get(file) === index.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== file);
      if (component.length > 1) circles.push(component.sort());
    }
  };
  for (const file of files) if (!index.has(file)) visit(file);
  return circles;
}

describe('architecture', () => {
  it('finds the imports it checks (the reader is not blind)', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get('cli/main.ts')).toContain('errors.ts');
    expect(importedSpecifiers("import type { A } from './a.js';\nconst b = await import('./b.js');")).toEqual([
      './a.js',
      './b.js',
    ]);
  });

  it('places every file of src/ on a floor', () => {
    expect(files.filter((file) => floorOf(file) === -1)).toEqual([]);
  });

  it('imports only down a floor, or within the same folder', () => {
    const upward = files.flatMap((file) =>
      graph
        .get(file)!
        .filter((imported) => {
          const from = floorOf(file);
          const to = floorOf(imported);
          return to < from || (to === from && part(imported) !== part(file));
        })
        .map((imported) => `${file} -> ${imported}`),
    );
    expect(upward).toEqual([]);
  });

  it('has no import circle between files', () => {
    expect(importCircles()).toEqual([]);
  });

  it('would see an upward import and a circle', () => {
    graph.set('core/probe-a.ts', ['cli/main.ts', 'core/probe-b.ts']);
    graph.set('core/probe-b.ts', ['core/probe-a.ts']);
    files.push('core/probe-a.ts', 'core/probe-b.ts');
    try {
      expect(floorOf('cli/main.ts')).toBeLessThan(floorOf('core/probe-a.ts'));
      expect(importCircles()).toContainEqual(['core/probe-a.ts', 'core/probe-b.ts']);
    } finally {
      files.splice(-2);
      graph.delete('core/probe-a.ts');
      graph.delete('core/probe-b.ts');
    }
  });
});
