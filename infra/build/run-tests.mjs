// `npm test` (started on Node.js 24 by infra/build/node24.mjs): says which Node runs the tests, then lint
// (Biome), type-check (tsc) and every jest test, stopping at the first step that fails. Arguments
// go to jest: `npm test -- test/unit` runs a folder.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

console.log(`node ${process.version} (${process.execPath}), ${process.platform}-${process.arch}`);

const steps = [
  ['node_modules/@biomejs/biome/bin/biome', 'check', '.'],
  ['node_modules/typescript/bin/tsc', '-p', '.'],
  // Native ESM: middy ships only ES modules.
  [
    '--experimental-vm-modules',
    '--no-warnings=ExperimentalWarning',
    'node_modules/jest/bin/jest.js',
    ...process.argv.slice(2),
  ],
];

for (const args of steps) {
  const { status, error } = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'inherit' });
  if (status !== 0) {
    if (error) console.error(`error: could not run ${args.join(' ')}: ${error.message}`);
    process.exit(status ?? 1);
  }
}
