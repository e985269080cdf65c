/**
 * `ContentTypeId` (xmtp `message_contents/content.proto`): authority, type and version of a content.
 * Its string form is `authority/type:major.minor`, as `@xmtp/content-type-primitives` prints it.
 */

export type ContentTypeId = {
  readonly authorityId: string;
  readonly typeId: string;
  readonly versionMajor: number;
  readonly versionMinor: number;
};

/** `xmtp.org/text:1.0` */
export const ContentTypeText: ContentTypeId = contentType('xmtp.org', 'text', 1, 0);
/** `xmtp.org/reply:1.0` */
export const ContentTypeReply: ContentTypeId = contentType('xmtp.org', 'reply', 1, 0);
/** `xmtp.org/reaction:1.0` */
export const ContentTypeReaction: ContentTypeId = contentType('xmtp.org', 'reaction', 1, 0);
/** `xmtp.org/readReceipt:1.0` */
export const ContentTypeReadReceipt: ContentTypeId = contentType('xmtp.org', 'readReceipt', 1, 0);
/** `xmtp.org/attachment:1.0` (the content inside an encrypted remote attachment payload) */
export const ContentTypeAttachment: ContentTypeId = contentType('xmtp.org', 'attachment', 1, 0);
/** `xmtp.org/remoteStaticAttachment:1.0` */
export const ContentTypeRemoteAttachment: ContentTypeId = contentType(
  'xmtp.org',
  'remoteStaticAttachment',
  1,
  0,
);

function contentType(
  authorityId: string,
  typeId: string,
  versionMajor: number,
  versionMinor: number,
): ContentTypeId {
  return Object.freeze({ authorityId, typeId, versionMajor, versionMinor });
}

/** `authority/type:major.minor`, e.g. `xmtp.org/text:1.0`. */
export function contentTypeToString(type: ContentTypeId): string {
  return `${type.authorityId}/${type.typeId}:${type.versionMajor}.${type.versionMinor}`;
}

/** Same authority and type (any version). */
export function sameContentType(a: ContentTypeId, b: ContentTypeId): boolean {
  return a.authorityId === b.authorityId && a.typeId === b.typeId;
}
