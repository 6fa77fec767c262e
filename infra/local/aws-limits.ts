/**
 * The AWS limits the loopback emulator enforces, so that code which passes locally is not refused
 * by AWS. Where the documentation is ambiguous the stricter reading is taken.
 *
 * EventBridge PutEvents
 * - At most 10 entries per request (API reference, `Entries` array length 1-10:
 *   https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutEvents.html). More: HTTP 400
 *   ValidationException for the whole request.
 * - Entry size, as EventBridge computes it: `Time` counts 14 bytes when set, plus the UTF-8 bytes
 *   of `Source`, `DetailType`, `Detail` and each of `Resources`
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/calculate-putevents-entry-size.html).
 * - Size limit: 256 KB until AWS raised it to 1 MB on 2026-01-29 ("More room to build: serverless
 *   services now support payloads up to 1 MB",
 *   https://aws.amazon.com/blogs/compute/more-room-to-build-serverless-services-now-support-payloads-up-to-1-mb).
 *   Ambiguous: the blog says "1 MB" without a byte count, and the entry-size page says "the total
 *   entry size must be less than" the limit, which reads as the sum over one request as well as
 *   per entry. Stricter reading taken: 1,000,000 bytes for the sum of the entry sizes of one
 *   request (so for every entry too); over it, HTTP 400 ValidationException "Total size of the
 *   entries in the request is over the limit." (the message AWS has answered for the old limit).
 *
 * SQS SendMessage
 * - 1 MiB = 1,048,576 bytes since the same 2026-01-29 change (SQS's announcement says 1 MiB; the
 *   queue attribute `MaximumMessageSize` ranges 1,024 to 1,048,576 and a lower value applies).
 *   The size counts the body plus each message attribute's name, data type and value. Over it:
 *   HTTP 400, `x-amzn-query-error: InvalidParameterValue;Sender`, "One or more parameters are
 *   invalid. Reason: Message must be shorter than 1048576 bytes." (a message of exactly the limit
 *   is accepted).
 * - Characters: a body may hold only #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD |
 *   #x10000-#x10FFFF (API reference, SendMessage `MessageBody`). Anything else (a C0 control, a
 *   lone UTF-16 surrogate, U+FFFE, U+FFFF): HTTP 400 `InvalidMessageContents`
 *   (`x-amzn-query-error: InvalidMessageContents;Sender`), "Invalid binary character '#xFFFF' was
 *   found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] |
 *   [#xE000-#xFFFD] | [#x10000-#x10FFFF]." (the text SQS answered in production, as quoted by a
 *   public project that hit it). Older documentation said SQS replaced such characters with
 *   U+FFFD; the current one says it refuses the message, which is the stricter reading.
 */
export const PUT_EVENTS_MAX_ENTRIES = 10;
export const PUT_EVENTS_MAX_TOTAL_ENTRY_BYTES = 1_000_000;
export const SQS_MAX_MESSAGE_BYTES = 1_048_576;

const utf8Bytes = (text: unknown): number => (typeof text === 'string' ? Buffer.byteLength(text, 'utf8') : 0);

/** A PutEvents request entry's size as EventBridge computes it. */
export const putEventsEntryBytes = (entry: Record<string, unknown>): number =>
  (entry.Time === undefined ? 0 : 14) +
  utf8Bytes(entry.Source) +
  utf8Bytes(entry.DetailType) +
  utf8Bytes(entry.Detail) +
  (Array.isArray(entry.Resources)
    ? entry.Resources.reduce((sum: number, resource) => sum + utf8Bytes(resource), 0)
    : 0);

/** Why AWS would refuse this PutEvents request as a whole, or undefined. */
export const putEventsViolation = (entries: Record<string, unknown>[]): string | undefined => {
  if (entries.length > PUT_EVENTS_MAX_ENTRIES) {
    return `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to ${PUT_EVENTS_MAX_ENTRIES}`;
  }
  const total = entries.reduce((sum, entry) => sum + putEventsEntryBytes(entry), 0);
  return total > PUT_EVENTS_MAX_TOTAL_ENTRY_BYTES
    ? 'Total size of the entries in the request is over the limit.'
    : undefined;
};

interface MessageAttributeValue {
  DataType?: string;
  StringValue?: string;
  BinaryValue?: string;
}

/** An SQS message's size as SQS counts it: body plus attribute names, data types and values. */
export const sqsMessageBytes = (body: string, attributes: Record<string, MessageAttributeValue> = {}): number =>
  utf8Bytes(body) +
  Object.entries(attributes).reduce(
    (sum, [name, value]) =>
      sum +
      utf8Bytes(name) +
      utf8Bytes(value.DataType) +
      utf8Bytes(value.StringValue) +
      (value.BinaryValue ? Buffer.from(value.BinaryValue, 'base64').length : 0),
    0,
  );

const isSqsCharacter = (codePoint: number): boolean =>
  codePoint === 0x9 ||
  codePoint === 0xa ||
  codePoint === 0xd ||
  (codePoint >= 0x20 && codePoint <= 0xd7ff) ||
  (codePoint >= 0xe000 && codePoint <= 0xfffd) ||
  (codePoint >= 0x10000 && codePoint <= 0x10ffff);

/** Why SQS would refuse this message body for its characters, or undefined. */
export const sqsBodyCharacterViolation = (body: string): string | undefined => {
  // for...of walks code points: a surrogate pair is one, a lone surrogate is one of its own.
  for (const char of body) {
    const codePoint = char.codePointAt(0) ?? 0;
    if (!isSqsCharacter(codePoint)) {
      return `Invalid binary character '#x${codePoint.toString(16).toUpperCase()}' was found in the message body, the set of allowed characters is #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].`;
    }
  }
  return undefined;
};
