/**
 * Runs every benchmark it finds, in sequence, each in its own process, and prints what each
 * printed: bench/<name>/run.ts modules, and single-file bench/run-<name>.ts ones. `npm run bench`.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '@/server/lib/exec';

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const projectRoot = path.dirname(benchDir);
const self = path.basename(fileURLToPath(import.meta.url));

async function benchmarks(): Promise<string[]> {
  const found: string[] = [];
  for (const e of await readdir(benchDir, { withFileTypes: true })) {
    if (e.isFile() && /^run-.+\.ts$/.test(e.name) && e.name !== self) found.push(path.join(benchDir, e.name));
    if (e.isDirectory() && e.name !== 'out' && (await readdir(path.join(benchDir, e.name))).includes('run.ts')) {
      found.push(path.join(benchDir, e.name, 'run.ts'));
    }
  }
  return found.sort();
}

let failed = 0;
for (const file of await benchmarks()) {
  const name = path.relative(projectRoot, file);
  process.stdout.write(`\n== ${name}\n`);
  // Each in its own process: a benchmark's descriptors, cgroups and memory do not leak into the next.
  const r = await exec(process.execPath, ['--import', 'tsx', file], { cwd: projectRoot });
  process.stdout.write(r.stdout);
  process.stderr.write(r.stderr);
  if (r.code !== 0) {
    failed++;
    process.stdout.write(`== ${name} failed (exit ${r.code}${r.signal ? `, ${r.signal}` : ''})\n`);
  }
}
process.exitCode = failed ? 1 : 0;
