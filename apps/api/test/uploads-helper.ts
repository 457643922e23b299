import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { call, type Res } from './helper.ts';

export const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));

export interface Part {
  name: string;
  /** A file part when set (a field otherwise). */
  filename?: string;
  type?: string;
  data: Buffer | string;
}

/** A multipart/form-data body written by hand, so tests can send what no browser would. */
export function multipart(parts: Part[]): { payload: Buffer; contentType: string } {
  const boundary = `----bmet${Math.random().toString(16).slice(2)}`;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.type !== undefined || part.filename !== undefined) head += `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n`;
    chunks.push(Buffer.from(head + '\r\n', 'latin1'), Buffer.isBuffer(part.data) ? part.data : Buffer.from(part.data), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export async function upload(
  app: FastifyInstance,
  token: string | undefined,
  data: Buffer,
  options: { filename?: string; type?: string; confirmNoPhi?: boolean; parts?: Part[] } = {}
): Promise<Res> {
  const parts: Part[] = options.parts ?? [
    { name: 'file', filename: options.filename ?? 'photo.jpg', type: options.type ?? 'image/jpeg', data },
    ...(options.confirmNoPhi === undefined ? [] : [{ name: 'confirmNoPhi', data: String(options.confirmNoPhi) }])
  ];
  const body = multipart(parts);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/uploads',
    headers: { 'content-type': body.contentType, ...(token === undefined ? {} : { authorization: `Bearer ${token}` }) },
    payload: body.payload
  });
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.body);
  } catch {
    parsed = res.body;
  }
  return Object.assign(res, { data: parsed as any });
}

export { call };
