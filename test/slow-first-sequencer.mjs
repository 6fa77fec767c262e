// jest's order of test files, with one change for a run that has no timings of an earlier one (a
// fresh clone, as CI runs): the folders whose files start processes, synthesize or bundle go
// first, so no long file starts last while the other worker has nothing left to do. jest's own
// guess there, file size, put a 25-second 2 KB file 98th of 110. With timings (a rerun on the
// same checkout), jest's order as it is: failed first, then the slowest.
import { relative, sep } from 'node:path';
import Sequencer from '@jest/test-sequencer';

/** Test folders, the slowest files first. */
const FOLDERS_SLOWEST_FIRST = ['package', 'e2e', 'infra', 'integration', 'fuzz', 'docs', 'unit'];

/** A test file's rank: its folder's place in the list (`test/<folder>/...` under the project's root). */
const rank = (test) => {
  const [top, folder] = relative(test.context.config.rootDir, test.path).split(sep);
  const index = top === 'test' ? FOLDERS_SLOWEST_FIRST.indexOf(folder ?? '') : -1;
  return index < 0 ? FOLDERS_SLOWEST_FIRST.length : index;
};

export default class SlowFirstSequencer extends Sequencer {
  sort(tests) {
    const sorted = super.sort(tests);
    if (sorted.some((test) => test.duration != null)) return sorted;
    // Array.prototype.sort is stable: within a folder, jest's order (by size) stays.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
