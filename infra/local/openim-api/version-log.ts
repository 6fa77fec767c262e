import { randomBytes } from 'node:crypto';

/**
 * OpenIM's per-user friend-list version log (`model.VersionLog`, `mgo/version_log.go`,
 * `rpc/incrversion/option.go`), as get_incremental_friends reads it. One document per owner:
 * an ObjectID, a version that grows by one per write, and the latest state of each friend ID
 * changed (a later change of an ID replaces its entry). A pin change also logs a sort marker.
 */
export const VERSION_STATE = { insert: 1, delete: 2, update: 3 } as const;
export type VersionState = (typeof VERSION_STATE)[keyof typeof VERSION_STATE];

/** `model.VersionSortChangeID`. */
export const SORT_CHANGE_ID = '____S_O_R_T_I_D____';
/** incrversion's `syncLimit`: more changed IDs than this, and the client must resync. */
export const SYNC_LIMIT = 200;

interface LogEntry {
  state: VersionState;
  version: number;
}

export interface VersionDoc {
  id: string;
  version: number;
  logs: Map<string, LogEntry>;
}

/** What get_incremental_friends makes of a client's (versionID, version). */
export interface IncrementalAnswer {
  versionID: string;
  version: number;
  full: boolean;
  deleteIDs: string[];
  insertIDs: string[];
  updateIDs: string[];
  sortVersion: number;
}

let counter = randomBytes(3).readUIntBE(0, 3);
const processBytes = randomBytes(5).toString('hex');

/** A MongoDB ObjectID: 4 bytes of seconds, 5 per process, a 3-byte counter (24 hex digits). */
export const newObjectId = (nowMs: number): string => {
  counter = (counter + 1) % 0x1000000;
  return (
    Math.floor(nowMs / 1000)
      .toString(16)
      .padStart(8, '0') +
    processBytes +
    counter.toString(16).padStart(6, '0')
  );
};

const ZERO_ID = '0'.repeat(24);
const OBJECT_ID = /^[0-9a-fA-F]{24}$/;

export class VersionLogs {
  private readonly docs = new Map<string, VersionDoc>();

  constructor(private readonly now: () => number) {}

  /** The owner's document; OpenIM creates one at version 1 the first time it is read or written. */
  doc(owner: string): VersionDoc {
    let doc = this.docs.get(owner);
    if (!doc) {
      doc = { id: newObjectId(this.now()), version: 1, logs: new Map() };
      this.docs.set(owner, doc);
    }
    return doc;
  }

  /** One write: the version grows by one and each ID's entry becomes (state, new version). */
  record(owner: string, ids: readonly string[], state: VersionState): void {
    if (ids.length === 0) return;
    const doc = this.doc(owner);
    doc.version++;
    for (const id of ids) {
      doc.logs.delete(id); // to the end, as OpenIM's $filter + $concatArrays does
      doc.logs.set(id, { state, version: doc.version });
    }
  }

  /** OpenIM's answer to (versionID, version): equal, the changes since, or full (resync). */
  since(owner: string, versionID: string, version: number): IncrementalAnswer {
    const doc = this.doc(owner);
    const answer = (full: boolean): IncrementalAnswer => ({
      versionID: doc.id,
      version: doc.version,
      full,
      deleteIDs: [],
      insertIDs: [],
      updateIDs: [],
      sortVersion: 0,
    });
    const valid = OBJECT_ID.test(versionID) && versionID !== ZERO_ID && version > 0;
    if (!valid || versionID !== doc.id) return answer(true);
    if (version === doc.version) return answer(false);
    if (doc.version < version) return answer(true);
    const changed = [...doc.logs].filter(([, entry]) => entry.version > version);
    if (changed.length > SYNC_LIMIT) return answer(true); // the limit counts the sort marker too
    const result = answer(false);
    for (const [id, entry] of changed) {
      if (id === SORT_CHANGE_ID) result.sortVersion = entry.version;
      else if (entry.state === VERSION_STATE.insert) result.insertIDs.push(id);
      else if (entry.state === VERSION_STATE.delete) result.deleteIDs.push(id);
      else result.updateIDs.push(id);
    }
    return result;
  }
}
