#!/usr/bin/env node
// The `cgdash` command: a thin launcher for the bundled CLI (built by scripts/setup).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli.mjs', import.meta.url));
if (!existsSync(cli)) {
  console.error('cgdash: the CLI is not built yet; run `npm run setup` (or scripts/setup) in the cgdash checkout');
  process.exit(1);
}
await import(cli);
