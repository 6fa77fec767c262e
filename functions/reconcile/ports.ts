import type { OwnerView } from '../friend-graph/graph-view';
import type { SweepCounters } from './differences';
import type { FriendListVersion, FriendRow } from './openim-directory';
import type { RepairDraft } from './repairs';

/**
 * What a sweep needs besides OpenIM (`openim-directory.ts`), in its own terms. `functions/adapters/aws/`
 * implements these with DynamoDB and EventBridge; tests use fakes or the same adapters on a local
 * DynamoDB.
 */

/** One user's friend list as OpenIM last reported it, kept between sweeps. */
export interface UserMirror {
  /** Where OpenIM's version log stood when the list was read (absent: a server without versions). */
  version?: FriendListVersion;
  friends: FriendRow[];
  /** The last sweep that reconciled this user: the orphans phase skips users this sweep covered. */
  sweepID: string;
  /**
   * When the read this mirror holds began (epoch ms): what orders two saves of one user, so a save
   * never replaces a mirror read later.
   */
  observedAt: number;
}

/**
 * The mirrors of users (one save per user): a save never replaces a mirror of a later read (see
 * `mirror-generation.ts`), and a load never returns part of a list.
 */
export interface MirrorStore {
  /**
   * The mirrors of these users (users never reconciled are left out). Rejects with
   * `MirrorUnreadable` when a stored mirror cannot be read whole.
   */
  load(userIDs: readonly string[]): Promise<Map<string, UserMirror>>;
  /** Saves each mirror unless the user's stored mirror is newer; those users are `superseded`. */
  save(mirrors: ReadonlyMap<string, UserMirror>): Promise<{ superseded: string[] }>;
}

/**
 * Some stored mirrors are not whole (a chunk missing, a row count that does not match): never read
 * as a shorter list. `readable` holds the other users' mirrors of the same load.
 */
export class MirrorUnreadable extends Error {
  override readonly name = 'MirrorUnreadable';
  constructor(
    readonly userIDs: string[],
    readonly readable: Map<string, UserMirror>,
    detail: string,
  ) {
    super(`the stored mirrors of ${userIDs.join(', ')} are not whole: ${detail}`);
  }
}

/** The friend graph as subscribers were told it. */
export interface GraphReader {
  ownerView(ownerUserID: string): Promise<OwnerView>;
  /**
   * One page of the owners of rows in one of `totalSegments` disjoint segments of the graph,
   * from `cursor` (an earlier page's `next`); no `next` once the segment is done.
   */
  ownersPage(segment: number, totalSegments: number, cursor?: string): Promise<{ owners: string[]; next?: string }>;
}

/** Puts repair events on the bus; rejects unless every one got in (the caller's part is retried). */
export type PublishRepairs = (repairs: RepairDraft[]) => Promise<void>;

/** The sweep's record: counters and where each part got to. */
export interface SweepProgress {
  /** Where this part of the sweep stopped last time (a retry resumes there); undefined if it never saved one. */
  resumePoint(sweepID: string, part: string): Promise<string | undefined>;
  /** Saves where the part got to and adds its counters to the sweep's totals, in one atomic write. */
  checkpoint(sweepID: string, part: string, cursor: string, counters: SweepCounters): Promise<void>;
  /** Adds to the sweep's totals (an OpenIM error, before the part is retried). */
  count(sweepID: string, counters: Partial<SweepCounters>): Promise<void>;
}

/** What a snapshot part adds to the snapshot's totals (kept in the sweep record beside the sweep's counters). */
export interface SnapshotCounters {
  /** Owners whose lists were sent. */
  snapshotUsers: number;
  snapshotFriendRows: number;
  snapshotBlackRows: number;
  /** `FriendListSnapshot` events put on the bus. */
  snapshotParts: number;
}

/** The snapshot's totals: the counters of its parts added up, and the owners it could not read. */
export interface SnapshotTotals {
  counters: SnapshotCounters;
  unreadableUserIDs: string[];
}

/** A snapshot's record: where each part got to, and what it sent. */
export interface SnapshotProgress {
  resumePoint(sweepID: string, part: string): Promise<string | undefined>;
  /** Saves where the part got to, adds its counters and its unreadable owners, in one atomic write. */
  checkpointSnapshot(
    sweepID: string,
    part: string,
    cursor: string,
    counters: SnapshotCounters,
    unreadableUserIDs: readonly string[],
  ): Promise<void>;
  snapshotTotals(sweepID: string): Promise<SnapshotTotals>;
}

/** Where a sweep stands, or how it ended, as its record and the state machine's output say. */
export interface SweepSummary {
  sweepID: string;
  status: 'running' | 'completed' | 'failed';
  startedAt: string;
  /** While it runs: now. */
  finishedAt: string;
  /** How many users OpenIM said it had when the sweep was planned. */
  usersListed: number;
  counters: SweepCounters;
  /** Why a failed sweep failed (the error name and cause from the engine). */
  error?: string;
}

export interface SweepRecords extends SweepProgress {
  start(sweepID: string, start: { startedAt: number; usersListed: number }): Promise<void>;
  finish(
    sweepID: string,
    end: { status: 'completed' | 'failed'; finishedAt: number; error?: string },
  ): Promise<SweepSummary>;
}

/** Two sweeps never run at once: a lease with an expiry, so a sweep that died cannot hold it for ever. */
export interface SweepLock {
  /** Takes the lock for this sweep until `expiresAt` (again, when this sweep holds it already). */
  acquire(
    sweepID: string,
    expiresAt: number,
    now: number,
  ): Promise<{ acquired: true } | { acquired: false; heldBy: string }>;
  /** Releases it if this sweep holds it. */
  release(sweepID: string): Promise<void>;
}

/** Milliseconds since the epoch. */
export type Clock = () => number;
