import { describe, expect, it } from '@jest/globals';
import { loadDrainerConfig, loadFriendGraphConfig } from '../../../functions/handlers/wiring/environment';

describe('the environment reader of the handlers', () => {
  it('gives the drainer its two queues and refuses to start without either, naming it', () => {
    const env = { RETRY_QUEUE_URL: 'http://q/retry', DEAD_LETTER_QUEUE_URL: 'http://q/dead' };
    expect(loadDrainerConfig(env)).toEqual({ retryQueueUrl: 'http://q/retry', deadLetterQueueUrl: 'http://q/dead' });
    expect(() => loadDrainerConfig({ ...env, RETRY_QUEUE_URL: '' })).toThrow(
      'environment variable RETRY_QUEUE_URL is required',
    );
    expect(() => loadDrainerConfig({ RETRY_QUEUE_URL: 'http://q/retry' })).toThrow(
      'environment variable DEAD_LETTER_QUEUE_URL is required',
    );
  });

  it('gives the friend graph its table, and applies test traffic only when told exactly "true"', () => {
    expect(loadFriendGraphConfig({ FRIEND_GRAPH_TABLE_NAME: 'graph' })).toEqual({
      tableName: 'graph',
      includeSynthetic: false,
    });
    expect(
      loadFriendGraphConfig({ FRIEND_GRAPH_TABLE_NAME: 'graph', FRIEND_GRAPH_INCLUDE_SYNTHETIC: 'true' })
        .includeSynthetic,
    ).toBe(true);
    expect(
      loadFriendGraphConfig({ FRIEND_GRAPH_TABLE_NAME: 'graph', FRIEND_GRAPH_INCLUDE_SYNTHETIC: 'yes' })
        .includeSynthetic,
    ).toBe(false);
    expect(() => loadFriendGraphConfig({})).toThrow('environment variable FRIEND_GRAPH_TABLE_NAME is required');
  });
});
