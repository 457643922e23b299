import { Type, type Static } from 'typebox';

/** A stored photo or document (POST /uploads). `width`, `height` and `thumbnailUrl` are null for documents. */
export const Upload = Type.Object({
  id: Type.String(),
  url: Type.String(),
  contentType: Type.String(),
  bytes: Type.Integer(),
  width: Type.Union([Type.Integer(), Type.Null()]),
  height: Type.Union([Type.Integer(), Type.Null()]),
  thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
  kind: Type.Union([Type.Literal('image'), Type.Literal('document')]),
  /** The cleaned name it was sent with. */
  filename: Type.String(),
  /** What the patient-data guard suspected and the uploader confirmed was not patient data ([] when nothing). */
  phiKinds: Type.Array(Type.String())
});
export type Upload = Static<typeof Upload>;

export const UploadResult = Type.Object({ upload: Upload });

/** A file of a post as the moderators' queue shows it. */
export const PostFile = Type.Object({
  id: Type.String(),
  url: Type.String(),
  thumbnailUrl: Type.Union([Type.String(), Type.Null()]),
  contentType: Type.String(),
  kind: Type.Union([Type.Literal('image'), Type.Literal('document')]),
  filename: Type.String(),
  bytes: Type.Integer(),
  phiKinds: Type.Array(Type.String())
});
export type PostFile = Static<typeof PostFile>;
