/** Client side of POST /api/v1/uploads: one file, with progress, and the guard's answer. */

export interface UploadedFile {
  id: string;
  url: string;
  contentType: string;
  bytes: number;
  width: number | null;
  height: number | null;
  thumbnailUrl: string | null;
  kind: 'image' | 'document';
  filename: string;
  phiKinds: string[];
}

export type UploadOutcome =
  { ok: true; upload: UploadedFile } | { ok: false; status: number; code: string; message: string; finding?: string; retryAfter?: number };

export const ACCEPT = 'image/jpeg,image/png,image/webp,image/heic,image/heif,application/pdf,.jpg,.jpeg,.png,.webp,.heic,.pdf';

/** Sends one file; `progress` gets 0..1 as the bytes leave. XMLHttpRequest because fetch reports no upload progress. */
export function sendUpload(file: File, confirmNoPhi: boolean, progress: (share: number) => void): Promise<UploadOutcome> {
  return new Promise((resolve) => {
    const form = new FormData();
    if (confirmNoPhi) form.append('confirmNoPhi', 'true');
    form.append('file', file, file.name);
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/uploads');
    xhr.responseType = 'json';
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable) progress(event.loaded / event.total);
    };
    xhr.onload = () => {
      const body = xhr.response as {
        upload?: UploadedFile;
        error?: { code: string; message: string; fields?: Record<string, string> };
      } | null;
      if (xhr.status === 201 && body?.upload) return resolve({ ok: true, upload: body.upload });
      const retry = Number(xhr.getResponseHeader('retry-after'));
      resolve({
        ok: false,
        status: xhr.status,
        code: body?.error?.code ?? 'error',
        message: messageFor(xhr.status, body?.error?.message),
        ...(body?.error?.fields?.file ? { finding: body.error.fields.file } : {}),
        ...(Number.isFinite(retry) && retry > 0 ? { retryAfter: retry } : {})
      });
    };
    xhr.onerror = () =>
      resolve({
        ok: false,
        status: 0,
        code: 'network',
        message: 'The upload did not reach the forum: check the connection and try again.'
      });
    xhr.send(form);
  });
}

function messageFor(status: number, message: string | undefined): string {
  if (status === 401) return 'Sign in to attach files.';
  if (status === 503) return 'The forum could not check this file just now. Try again in a moment.';
  if (message === undefined) return `The upload failed (${status}).`;
  return message[0]!.toUpperCase() + message.slice(1) + '.';
}

/** The markdown a post uses for an upload: a picture with its alt text, or a link for a document. */
export function markdownFor(upload: UploadedFile, alt: string): string {
  const label = (alt.trim() || upload.filename).replace(/[[\]\n\r]/g, ' ').slice(0, 200);
  return upload.kind === 'image' ? `![${label}](${upload.url})` : `[${label}](${upload.url})`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
