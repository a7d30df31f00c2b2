import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

// DESIGN.md: data flows one way through the layers; a module imports only its own layer or
// layers below it. STYLE.md rule 8: nothing below io/ reads the clock or randomness itself.
const LAYERS = ['wire', 'addr', 'xlat', 'state', 'pipeline', 'io', 'fabric', 'sync', 'control'];
const BELOW_IO = new Set(['wire', 'addr', 'xlat', 'state', 'pipeline']);
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const src = join(root, 'src');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sourceFiles(p));
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

function layerOf(file: string): string {
  return relative(src, file).split(/[\\/]/)[0]!;
}

test('every source file lives in a layer folder', () => {
  for (const f of sourceFiles(src)) assert.ok(LAYERS.includes(layerOf(f)), `${relative(root, f)} is outside the layers of DESIGN.md`);
});

test('imports go only to the same layer or a lower one', () => {
  const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
  const violations: string[] = [];
  for (const f of sourceFiles(src)) {
    const text = readFileSync(f, 'utf8');
    const own = LAYERS.indexOf(layerOf(f));
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2]!;
      if (!spec.startsWith('.')) continue;
      const target = resolve(dirname(f), spec);
      if (!target.startsWith(src)) { violations.push(`${relative(root, f)} imports ${spec} outside src/`); continue; }
      const layer = LAYERS.indexOf(layerOf(target));
      if (layer > own) violations.push(`${relative(root, f)} (${LAYERS[own]}) imports ${spec} (${LAYERS[layer]})`);
    }
  }
  assert.deepEqual(violations, []);
});

test('nothing below io/ reads the clock, timers or randomness', () => {
  const banned = /\b(Date\.now|new Date\(|performance\.now|process\.hrtime|setTimeout|setInterval|setImmediate|Math\.random)\b/;
  const violations: string[] = [];
  for (const f of sourceFiles(src)) {
    if (!BELOW_IO.has(layerOf(f))) continue;
    readFileSync(f, 'utf8').split('\n').forEach((line, i) => {
      if (banned.test(line) && !/^\s*(\/\/|\*)/.test(line)) violations.push(`${relative(root, f)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(violations, []);
});
