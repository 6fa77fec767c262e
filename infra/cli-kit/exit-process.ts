/**
 * Ends the process with `code` once the file writes already under way are done (for at most two
 * seconds). `npm run` starts every CLI through tsx, which saves what it compiled to its cache with
 * asynchronous writes: a `process.exit()` in the same tick left every cache file empty, so each
 * run compiled all the sources again (a third of what a `--help` costs).
 */
export const exitProcess = async (code: number): Promise<never> => {
  const giveUpAt = Date.now() + 2_000;
  while (Date.now() < giveUpAt && process.getActiveResourcesInfo().some((name) => name.startsWith('FSReq'))) {
    await new Promise((resolve) => setImmediate(resolve));
  }
  process.exit(code);
};
