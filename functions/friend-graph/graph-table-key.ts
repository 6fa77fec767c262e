/**
 * Key of the friend graph table: one item per directed pair. A module of its own, with no
 * imports, so the CDK construct can name the key without loading the DynamoDB client.
 */
export const FRIEND_GRAPH_KEY = { partitionKey: 'ownerUserID', sortKey: 'otherUserID' } as const;
