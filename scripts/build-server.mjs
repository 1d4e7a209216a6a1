#!/usr/bin/env node
// Bundles the server and the CLI into dist/ with esbuild. npm packages stay external (they are
// in node_modules next to dist/); our own TypeScript is compiled in, so start-up reads one file.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
  // ESM output still meets CommonJS-only code paths (require of JSON, native addons).
  banner: { js: "import { createRequire as __cgdashCreateRequire } from 'node:module'; const require = __cgdashCreateRequire(import.meta.url);" },
  alias: { '@': root },
};

await build({ ...common, entryPoints: { 'server/main': 'server/main.ts' }, outdir: 'dist', outExtension: { '.js': '.mjs' } });
// The CLI starts for every command: one self-contained file loads far faster than resolving
// its packages in node_modules one by one (the server starts once and keeps them external).
await build({
  ...common,
  packages: undefined,
  external: ['bufferutil', 'utf-8-validate'],
  minifyWhitespace: true,
  entryPoints: { cli: 'server/cli/main.ts' },
  outdir: 'dist',
  outExtension: { '.js': '.mjs' },
});
