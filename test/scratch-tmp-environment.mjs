// jest's Node environment, with a temp directory of its own for each test file. Plain JavaScript:
// jest loads its environment before it transforms anything.
//
// Each test file runs with TMPDIR pointing at a fresh directory (its child processes inherit it),
// removed when the file ends, so a run leaves nothing in the machine's temp directory. The CDK
// writes a `cdk.out*` cloud assembly there for every App made without an outdir and never removes
// it, and tsx (the CLIs' TypeScript loader) and npm (Node's module compile cache) keep caches
// there: those are the tools' own and go silently. Anything else left there is the test file's own
// and fails the file, named, so a test that forgets to clean up is caught (`npm test` then checks
// the run as a whole, infra/build/run-tests.mjs).
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { TestEnvironment } from 'jest-environment-node';

/** What tools write to the temp directory by themselves: an App's assembly when it has no outdir, tsx's and Node's caches. */
const TOOLS_OWN = /^(cdk\.out|tsx-\d+$|node-compile-cache$)/;

export default class ScratchTmpEnvironment extends TestEnvironment {
  /** @param {import('@jest/environment').JestEnvironmentConfig} config @param {import('@jest/environment').EnvironmentContext} context */
  constructor(config, context) {
    const outerTmpdir = process.env.TMPDIR;
    const scratch = mkdtempSync(join(tmpdir(), `${basename(context.testPath, '.ts')}-`));
    // Set before the test's copy of process.env is taken, so the test and its children see it too.
    process.env.TMPDIR = scratch;
    super(config, context);
    this.scratch = scratch;
    this.outerTmpdir = outerTmpdir;
    this.testPath = context.testPath;
  }

  async teardown() {
    await super.teardown();
    if (this.outerTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = this.outerTmpdir;
    const leftovers = readdirSync(this.scratch).filter((name) => !TOOLS_OWN.test(name));
    rmSync(this.scratch, { recursive: true, force: true });
    if (leftovers.length > 0) {
      throw new Error(`${this.testPath} left in its temp directory (remove them in the test): ${leftovers.join(', ')}`);
    }
  }
}
