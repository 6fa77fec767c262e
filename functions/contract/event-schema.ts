import {
  ALTERED_FIELDS,
  EVENT_SCHEMA_VERSION,
  FRIEND_DETAIL_TYPES,
  type FriendDetailByType,
  type FriendDetailType,
  type FriendEventDetail,
  SNAPSHOT_DETAIL_TYPES,
  type SnapshotDetailByType,
  type SnapshotDetailType,
} from './events';

/**
 * The JSON Schema (draft-04, what the EventBridge schema registry takes) of each event,
 * generated from one field table. The table is typed against the TypeScript interfaces in
 * `events.ts`: a field added, removed or retyped on one side and not the other does not compile.
 */
// `[T] extends [string]`, not `T extends string`: a union of commands is one enum, not one spec per member.
type FieldSpec<T> = [T] extends [string]
  ? { type: 'string'; description: string; minLength?: number; format?: 'date-time'; enum?: readonly T[] }
  : T extends number
    ? { type: 'integer'; description: string; minimum?: number; enum?: readonly T[] }
    : T extends boolean
      ? { type: 'boolean'; description: string; enum?: readonly T[] }
      : T extends readonly string[]
        ? { type: 'array'; description: string; items: { type: 'string'; minLength: 1; enum?: readonly T[number][] } }
        : T extends readonly (infer E)[]
          ? { type: 'array'; description: string; items: ObjectSpec<E> }
          : T extends object
            ? ObjectSpec<T>
            : never;

type DetailSpec<D> = { [K in keyof D]-?: FieldSpec<Exclude<D[K], undefined>> };

/** A nested object (a snapshot's address, a friend row): its fields, the required ones, and room for additions. */
interface ObjectSpec<T> {
  type: 'object';
  description?: string;
  required: readonly (keyof T & string)[];
  properties: DetailSpec<T>;
  additionalProperties: true;
}

const object = <T>(
  properties: DetailSpec<T>,
  optional: readonly OptionalKeys<T>[],
  description?: string,
): ObjectSpec<T> => ({
  type: 'object',
  ...(description === undefined ? {} : { description }),
  required: (Object.keys(properties) as (keyof T & string)[]).filter(
    (field) => !(optional as readonly unknown[]).includes(field),
  ),
  properties,
  additionalProperties: true,
});

/** The detail fields an event may leave out (optional in `events.ts`); every other one is required. */
type OptionalKeys<T> = T extends unknown ? { [K in keyof T]-?: undefined extends T[K] ? K : never }[keyof T] : never;
const OPTIONAL_DETAIL_FIELDS: readonly string[] = ['alteredFields', 'synthetic'] satisfies OptionalKeys<
  FriendEventDetail | SnapshotDetailByType[SnapshotDetailType]
>[];

const common = <C extends string>(...commands: C[]) =>
  ({
    schemaVersion: {
      type: 'integer',
      enum: [EVENT_SCHEMA_VERSION],
      description: 'Contract version; bumped only for a breaking change',
    },
    callbackCommand: { type: 'string', enum: commands, description: 'The OpenIM command, verbatim' },
    operationID: {
      type: 'string',
      description:
        "OpenIM's trace id (operationID header), empty when absent; a safe form when alteredFields lists operationID",
    },
    receivedAt: { type: 'string', format: 'date-time', description: 'When the callback was received (UTC)' },
    idempotencyKey: {
      type: 'string',
      minLength: 64,
      description:
        'One per OpenIM delivery: hex SHA-256 of the command, API Gateway request id and receipt time (import parts add :<part>). Every copy of this event carries it (duplicate delivery, re-publish, redrive, replay): de-duplicate on it',
    },
    alteredFields: {
      type: 'array',
      items: { type: 'string', minLength: 1, enum: ALTERED_FIELDS },
      description:
        'Present only when fields hold a safe form of what OpenIM sent: operationID escaped or cut to 256 bytes, reqMsg/handleMsg/remark cut to 16 KiB',
    },
    synthetic: {
      type: 'boolean',
      enum: [true],
      description:
        'Present (true) only on test traffic sent by npm run send, never on a real OpenIM callback: match real events only with "synthetic": [{"exists": false}]',
    },
  }) as const;

/** A repair carries no OpenIM command: it was read from OpenIM's lists, not called back. */
const reconciled = () =>
  ({
    schemaVersion: common().schemaVersion,
    operationID: { type: 'string', description: 'Always empty: a repair has no OpenIM trace id' },
    receivedAt: {
      type: 'string',
      format: 'date-time',
      description: 'Equal to observedAt, so that ordering by receivedAt places the repair at the read',
    },
    idempotencyKey: {
      type: 'string',
      minLength: 64,
      description:
        'One per repair: hex SHA-256 of the sweep, the read time (observedAt) and the repair; a later read stating the same fact gets a new one. Every copy of this event carries it: de-duplicate on it',
    },
    alteredFields: common().alteredFields,
    observedAt: { type: 'string', format: 'date-time', description: "When OpenIM's list was read (UTC)" },
  }) as const;

const userID = (description: string) => ({ type: 'string', minLength: 1, description }) as const;
const message = (description: string) => ({ type: 'string', description }) as const;

export const DETAIL_SPECS: { [T in FriendDetailType]: DetailSpec<FriendDetailByType[T]> } = {
  AfterAddFriend: {
    ...common('callbackAfterAddFriendCommand'),
    fromUserID: userID('The applicant'),
    toUserID: userID('The recipient of the request'),
    reqMsg: message('The request message'),
  },
  AfterAddFriendAgree: {
    ...common('callbackAfterAddFriendAgreeCommand'),
    fromUserID: userID('The applicant'),
    toUserID: userID('The user who accepted (OpenIM sends it as blackUserID)'),
    handleResult: { type: 'integer', description: "OpenIM's handle result (1: accepted)" },
    handleMsg: message('The message given when accepting'),
  },
  AfterImportFriends: {
    ...common('callbackAfterImportFriendsCommand'),
    ownerUserID: userID('The user who got the new friends'),
    friendUserIDs: { type: 'array', items: { type: 'string', minLength: 1 }, description: 'The new friends' },
    part: { type: 'integer', minimum: 1, description: '1-based part of a split import' },
    parts: { type: 'integer', minimum: 1, description: 'How many parts the import was split into' },
  },
  AfterDeleteFriend: {
    ...common('callbackAfterDeleteFriendCommand'),
    ownerUserID: userID('The user who removed the friend from their own list'),
    friendUserID: userID('The removed friend (their own list may still hold the owner)'),
  },
  AfterSetFriendRemark: {
    // v3.4.2 to v3.6.x name it without "Command".
    ...common('callbackAfterSetFriendRemarkCommand', 'callbackAfterSetFriendRemark'),
    ownerUserID: userID('The user who set the remark'),
    friendUserID: userID('The friend the remark is about'),
    remark: message('The new remark, empty when cleared'),
  },
  AfterRemoveBlack: {
    ...common('callbackAfterRemoveBlackCommand'),
    ownerUserID: userID('The user who unblocked'),
    blackUserID: userID('The user taken off the blacklist'),
  },
  FriendshipReconciled: {
    ...reconciled(),
    ownerUserID: userID('The user whose friend list was read'),
    friendUserID: userID('The friend the directed edge points to'),
    present: { type: 'boolean', description: "Whether friendUserID is on ownerUserID's friend list" },
    remark: message('The remark ownerUserID shows for friendUserID; empty when never set or not present'),
  },
  BlacklistReconciled: {
    ...reconciled(),
    ownerUserID: userID('The user whose black list was read'),
    blackUserID: userID('The user the entry is about'),
    present: { type: 'boolean', description: "Whether blackUserID is on ownerUserID's black list" },
  },
};

const snapshotAddress = object<SnapshotDetailByType['FriendListSnapshot']['snapshot']>(
  {
    id: { type: 'string', minLength: 1, description: 'One per snapshot run' },
    for: {
      type: 'string',
      minLength: 1,
      description: 'The subscriber it is addressed to (--for); friend-graph is the reference graph',
    },
  },
  [],
  'Which snapshot, and the subscriber it is addressed to: friendEventPattern({ snapshotsFor }) matches only its own',
);

export const SNAPSHOT_DETAIL_SPECS: { [T in SnapshotDetailType]: DetailSpec<SnapshotDetailByType[T]> } = {
  FriendListSnapshot: {
    ...reconciled(),
    operationID: { type: 'string', description: 'Always empty: a snapshot has no OpenIM trace id' },
    receivedAt: {
      type: 'string',
      format: 'date-time',
      description: 'Equal to observedAt: a change received after it wins over the part (last writer wins)',
    },
    idempotencyKey: {
      type: 'string',
      minLength: 64,
      description:
        'One per part of this snapshot run; every copy of the part carries it: de-duplicate on it. Applying a part twice is harmless too',
    },
    alteredFields: {
      type: 'array',
      items: { type: 'string', minLength: 1, enum: ALTERED_FIELDS },
      description: 'Present only when a field of the detail holds a safe form of what OpenIM sent',
    },
    snapshot: snapshotAddress,
    ownerUserID: userID('The user whose lists these are'),
    covers: object<SnapshotDetailByType['FriendListSnapshot']['covers']>(
      {
        from: {
          type: 'string',
          description: 'The first user ID this part speaks for (included); "" in the first part',
        },
        to: {
          type: 'string',
          description: 'The first user ID after this part (left out); absent in the last part. UTF-16 code unit order',
        },
      },
      ['to'],
      'The user IDs this part speaks for: for each, friend (with that remark) if and only if listed, blocked if and only if listed, except where a change received after observedAt says otherwise',
    ),
    friends: {
      type: 'array',
      description: "ownerUserID's friend rows within covers, sorted by friendUserID",
      items: object<SnapshotDetailByType['FriendListSnapshot']['friends'][number]>(
        {
          friendUserID: userID('The friend'),
          remark: message('The remark ownerUserID shows for the friend; empty when never set'),
          alteredFields: {
            type: 'array',
            items: { type: 'string', minLength: 1, enum: ['remark'] },
            description: "['remark'] when the remark was cut to its first 16 KiB",
          },
        },
        ['alteredFields'],
      ),
    },
    blackUserIDs: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: "The users on ownerUserID's black list within covers, sorted",
    },
    part: { type: 'integer', minimum: 1, description: "1-based part of this owner's lists" },
    parts: { type: 'integer', minimum: 1, description: "How many parts this owner's lists were split into" },
  },
  FriendSnapshotCompleted: {
    schemaVersion: common().schemaVersion,
    snapshot: snapshotAddress,
    idempotencyKey: {
      type: 'string',
      minLength: 64,
      description: 'One per snapshot run: a completion published again carries the same key; de-duplicate on it',
    },
    users: { type: 'integer', minimum: 0, description: 'Owners whose lists were sent' },
    friendRows: { type: 'integer', minimum: 0, description: 'Friend rows sent, over every part' },
    blackRows: { type: 'integer', minimum: 0, description: 'Black list entries sent, over every part' },
    unreadableUserIDs: {
      type: 'array',
      items: { type: 'string', minLength: 1 },
      description: 'Owners OpenIM could not answer consistently: no part was sent for them; ask again with --user',
    },
    startedAt: { type: 'string', format: 'date-time', description: 'When the snapshot started (UTC)' },
    completedAt: {
      type: 'string',
      format: 'date-time',
      description: 'When its last part was on the bus (UTC)',
    },
  },
};

const DESCRIPTIONS: Record<FriendDetailType | SnapshotDetailType, string> = {
  AfterAddFriend: 'OpenIM: a friend request was sent (no friendship yet)',
  AfterAddFriendAgree: 'OpenIM: a friend request was accepted; the two users are friends now',
  AfterImportFriends: 'OpenIM: an admin import made ownerUserID friends with every ID in friendUserIDs',
  AfterDeleteFriend: 'OpenIM: ownerUserID removed friendUserID from their own friend list (one-way)',
  AfterSetFriendRemark: 'OpenIM: ownerUserID set the remark they show for friendUserID',
  AfterRemoveBlack: 'OpenIM: ownerUserID took blackUserID off their blacklist',
  FriendshipReconciled:
    "Reconciler: OpenIM's friend list of ownerUserID holds friendUserID (with this remark) or not, as read at observedAt",
  BlacklistReconciled: "Reconciler: OpenIM's black list of ownerUserID holds blackUserID or not, as read at observedAt",
  FriendListSnapshot:
    "Snapshot, for one subscriber only: ownerUserID's lists as read at observedAt, for the user IDs in covers (each part applies alone, in any order)",
  FriendSnapshotCompleted: 'Snapshot, for one subscriber only: every part is on the bus',
};

/** Every detail-type's fields: the friend events, then the snapshots. */
const specOf = (detailType: FriendDetailType | SnapshotDetailType): Record<string, unknown> =>
  detailType === 'FriendListSnapshot' || detailType === 'FriendSnapshotCompleted'
    ? SNAPSHOT_DETAIL_SPECS[detailType]
    : DETAIL_SPECS[detailType];

/** The schema of a whole EventBridge event of this detail-type, as a subscriber receives it. */
export const eventJsonSchema = (detailType: FriendDetailType | SnapshotDetailType, source: string) => {
  const detail = specOf(detailType);
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    title: detailType,
    description: DESCRIPTIONS[detailType],
    type: 'object',
    required: ['version', 'id', 'detail-type', 'source', 'account', 'time', 'region', 'resources', 'detail'],
    properties: {
      version: { type: 'string' },
      id: { type: 'string' },
      'detail-type': { type: 'string', enum: [detailType] },
      source: { type: 'string', enum: [source] },
      account: { type: 'string' },
      time: { type: 'string', format: 'date-time' },
      region: { type: 'string' },
      resources: { type: 'array', items: { type: 'string' } },
      detail: {
        type: 'object',
        required: Object.keys(detail).filter((field) => !OPTIONAL_DETAIL_FIELDS.includes(field)),
        properties: detail,
        // Additive changes are allowed within a schema version: subscribers must ignore unknown fields.
        additionalProperties: true,
      },
    },
  };
};

/** The friend events' schemas: what every subscriber may receive. */
export const allEventJsonSchemas = (source: string) =>
  FRIEND_DETAIL_TYPES.map((detailType) => ({ detailType, schema: eventJsonSchema(detailType, source) }));

/** The snapshot events' schemas: what only the subscriber a snapshot is addressed to receives. */
export const snapshotEventJsonSchemas = (source: string) =>
  SNAPSHOT_DETAIL_TYPES.map((detailType) => ({ detailType, schema: eventJsonSchema(detailType, source) }));
