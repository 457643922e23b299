import { fileTypeFromBuffer } from 'file-type';
import sharp, { type Metadata, type Sharp } from 'sharp';
import { HttpError } from '../http-error.ts';

/** What the bytes are, decided from the bytes (magic numbers), never from a name or a declared type. */
export type Detected = { kind: 'image'; format: 'jpeg' | 'png' | 'webp' | 'heif' | 'avif' } | { kind: 'document'; format: 'pdf' };

/** Enough bytes for every signature we accept (file-type reads at most this many here). */
export const SNIFF_BYTES = 4100;

const IMAGE_FORMATS: Record<string, Detected> = {
  'image/jpeg': { kind: 'image', format: 'jpeg' },
  'image/png': { kind: 'image', format: 'png' },
  'image/webp': { kind: 'image', format: 'webp' },
  'image/heic': { kind: 'image', format: 'heif' },
  'image/heif': { kind: 'image', format: 'heif' },
  'image/avif': { kind: 'image', format: 'avif' },
  'application/pdf': { kind: 'document', format: 'pdf' }
};

export const ACCEPTED = 'JPEG, PNG, WebP or HEIC photos and PDF documents';

export async function sniff(head: Buffer): Promise<Detected | null> {
  const type = await fileTypeFromBuffer(head);
  return (type && IMAGE_FORMATS[type.mime]) ?? null;
}

export interface ImageLimits {
  /** Decoded pixels at most (a decompression bomb is refused before it is decoded). */
  maxPixels: number;
  /** The long edge of the stored image. */
  displayEdge: number;
  thumbEdge: number;
}

export const DEFAULT_IMAGE_LIMITS: ImageLimits = { maxPixels: 50_000_000, displayEdge: 2560, thumbEdge: 480 };

export interface ProcessedImage {
  file: { contentType: string; data: Buffer };
  thumb: { contentType: string; data: Buffer };
  width: number;
  height: number;
  /** Grayscale passes prepared for OCR: the polarity the picture suggests, then the other one, thresholded. */
  ocrPasses: Buffer[];
}

const unreadable = () =>
  new HttpError(400, 'validation_failed', 'the image could not be read: it is truncated or corrupt', {
    file: 'the image is truncated or corrupt'
  });

/**
 * Re-encodes an image so nothing but its pixels survives: EXIF (GPS, maker notes, the camera),
 * XMP, IPTC, ICC and comments are dropped (sharp keeps no metadata unless asked), the EXIF
 * orientation is applied to the pixels first. Also prepares what OCR reads.
 */
export async function processImage(bytes: Buffer, detected: Detected & { kind: 'image' }, limits: ImageLimits): Promise<ProcessedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels: false }).metadata();
  } catch {
    if (detected.format === 'heif') {
      throw new HttpError(
        415,
        'unsupported_media_type',
        'HEIC photos cannot be decoded on this server; send JPEG (most phones can share as JPEG)',
        {
          file: 'HEIC is not decodable here'
        }
      );
    }
    throw unreadable();
  }
  const width = meta.width ?? 0;
  const height = meta.height ?? 0;
  if (width === 0 || height === 0) throw unreadable();
  if (width * height > limits.maxPixels) {
    throw new HttpError(413, 'too_large', `the image is ${width}x${height}; at most ${Math.round(limits.maxPixels / 1e6)} megapixels`, {
      file: 'too many pixels'
    });
  }
  // failOn 'truncated': a cut-off JPEG or PNG is refused instead of stored half grey.
  const input = sharp(bytes, { limitInputPixels: limits.maxPixels, failOn: 'truncated', sequentialRead: true }).rotate();
  try {
    const display = input
      .clone()
      .resize({ width: limits.displayEdge, height: limits.displayEdge, fit: 'inside', withoutEnlargement: true });
    const encoded =
      detected.format === 'png'
        ? display.png({ compressionLevel: 6, adaptiveFiltering: true })
        : detected.format === 'webp'
          ? display.webp({ quality: 85 })
          : display.jpeg({ quality: 85, mozjpeg: true });
    const contentType = detected.format === 'png' ? 'image/png' : detected.format === 'webp' ? 'image/webp' : 'image/jpeg';
    const [file, thumb, passes] = await Promise.all([
      encoded.toBuffer({ resolveWithObject: true }),
      input
        .clone()
        .resize({ width: limits.thumbEdge, height: limits.thumbEdge, fit: 'inside', withoutEnlargement: true })
        .webp({ quality: 72 })
        .toBuffer(),
      ocrPasses(input.clone(), Math.max(width, height))
    ]);
    return {
      file: { contentType, data: file.data },
      thumb: { contentType: 'image/webp', data: thumb },
      width: file.info.width,
      height: file.info.height,
      ocrPasses: passes
    };
  } catch (err) {
    if (err instanceof HttpError) throw err;
    throw unreadable();
  }
}

/** The long edge OCR reads at: small screenshots are enlarged, 12-megapixel photos reduced. */
const OCR_EDGE = 2200;

/**
 * Monitor screens are light text on dark and colour on colour; labels and printouts are dark
 * on light. Tesseract reads dark text on a light page best, so the first pass turns the
 * picture that way (inverted when it is mostly dark), contrast stretched; the second pass is
 * the opposite polarity, thresholded, for the text in bands of the other kind (a white-on-red
 * alarm bar, a black name banner on a white label).
 */
async function ocrPasses(image: Sharp, longEdge: number): Promise<Buffer[]> {
  const gray = image.resize({ width: OCR_EDGE, height: OCR_EDGE, fit: 'inside', withoutEnlargement: longEdge >= OCR_EDGE }).grayscale();
  const { data, info } = await gray.raw().toBuffer({ resolveWithObject: true });
  let sum = 0;
  for (let i = 0; i < data.length; i += 97) sum += data[i]!;
  const dark = sum / Math.ceil(data.length / 97) < 110;
  const raw = { raw: { width: info.width, height: info.height, channels: info.channels } } as const;
  const first = sharp(data, raw);
  const second = sharp(data, raw);
  return Promise.all([
    (dark ? first.negate() : first).normalise().png({ compressionLevel: 1 }).toBuffer(),
    (dark ? second : second.negate()).normalise().threshold(140).png({ compressionLevel: 1 }).toBuffer()
  ]);
}
