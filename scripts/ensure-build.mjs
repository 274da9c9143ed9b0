// Runs before `npm start`: compiles src/ to dist/ (tsc -p tsconfig.build.json) when dist/main.js is
// missing or older than a source file or a tsconfig; otherwise does nothing.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const output = join(root, 'dist', 'main.js');

/** Newest modification time (ms) of the files under `dir`, 0 when it does not exist. */
function newestUnder(dir) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs);
  }
  return newest;
}

function newestInput() {
  const configs = ['tsconfig.json', 'tsconfig.build.json']
    .map((name) => join(root, name))
    .filter((file) => existsSync(file))
    .map((file) => statSync(file).mtimeMs);
  return Math.max(newestUnder(join(root, 'src')), ...configs);
}

const builtAt = existsSync(output) ? statSync(output).mtimeMs : -1;
if (builtAt >= newestInput()) process.exit(0);

let tsc;
try {
  // The project's own TypeScript (what `npx tsc` would pick), never a download.
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  console.error('ensure-build: TypeScript is not installed; run `npm run setup` (or `npm ci`) first');
  process.exit(1);
}
console.error(builtAt < 0 ? 'ensure-build: dist/main.js missing, building…' : 'ensure-build: src/ changed, rebuilding…');
const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  // tsc emits even with type errors; drop the output so the next start does not take it as current.
  rmSync(output, { force: true });
  console.error('ensure-build: the TypeScript build failed (errors above)');
  process.exit(result.status ?? 1);
}
