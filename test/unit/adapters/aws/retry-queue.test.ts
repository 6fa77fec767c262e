import {
  encodeParkedMessage,
  fromParkedMessage,
  type ParkedMessage,
  toParkedMessage,
} from '../../../../functions/adapters/aws/retry-queue';

const SQS_CHARACTERS = /^[\t\n\r\x20-\ud7ff\ue000-\ufffd\u{10000}-\u{10ffff}]*$/u;
const text = 'a\ufffe\uffff\ud800\udfff\u0000\u0007\u007f\u0085\u{1F600}é"\\';
const parked = (): ParkedMessage =>
  toParkedMessage(
    {
      EventBusName: 'bus',
      Source: 'openim',
      DetailType: 'AfterAddFriend',
      Detail: JSON.stringify({ reqMsg: text }),
      Time: new Date('2026-11-25T10:00:00.000Z'),
    },
    `InternalException: ${text}`,
    new Date('2026-11-25T10:00:01.000Z'),
  );

describe('encodeParkedMessage', () => {
  it('writes only characters SQS accepts in a body', () => {
    expect(encodeParkedMessage(parked())).toMatch(SQS_CHARACTERS);
    expect(JSON.stringify(parked())).not.toMatch(SQS_CHARACTERS); // U+FFFE and U+FFFF stay raw in plain JSON
  });

  it('reads back as the same entry and reason, every character kept', () => {
    const { entry, reason } = fromParkedMessage(encodeParkedMessage(parked()));
    expect(JSON.parse(String(entry.Detail)).reqMsg).toBe(text);
    expect(reason).toBe(`InternalException: ${text}`);
    expect(entry.Time).toEqual(new Date('2026-11-25T10:00:00.000Z'));
  });

  it('is plain JSON: a message parked by an earlier version (JSON.stringify) reads the same', () => {
    const plain = JSON.stringify({ ...parked(), reason: 'x', entry: { ...parked().entry, Detail: '{"reqMsg":"Hi"}' } });
    expect(fromParkedMessage(plain).entry.Detail).toBe('{"reqMsg":"Hi"}');
  });
});
