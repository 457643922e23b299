import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { createScheduler, createWorker, type Scheduler } from 'tesseract.js';
import { getDocumentProxy } from 'unpdf';
import { HttpError } from '../http-error.ts';

const require = createRequire(import.meta.url);

/** The English LSTM model from the npm registry (@tesseract.js-data/eng): nothing is downloaded at run time. */
function langPath(): string {
  return join(dirname(require.resolve('@tesseract.js-data/eng/package.json')), '4.0.0_best_int');
}

const unavailable = (why: string) =>
  new HttpError(503, 'unavailable', `the file could not be checked for patient data (${why}); try again in a moment`);

/**
 * Tesseract workers (each a worker thread with its own WASM engine), started on the first
 * upload and kept warm. A job that fails or takes too long is answered 503 (the file is not
 * taken unchecked) and the pool is rebuilt, so a crashed worker heals on the next upload.
 */
export class OcrPool {
  private scheduler: Promise<Scheduler> | null = null;

  constructor(
    private readonly size: number,
    /** How long one file's reading may take before it is answered 503. */
    public timeoutMs = 20_000
  ) {}

  private start(): Promise<Scheduler> {
    this.scheduler ??= (async () => {
      const scheduler = createScheduler();
      const path = langPath();
      try {
        const workers = await Promise.all(
          Array.from({ length: this.size }, async () => {
            const worker = await createWorker('eng', 1, { langPath: path, cacheMethod: 'none', gzip: true });
            // Our PNGs carry no density: say 300 dpi rather than let Tesseract guess (and warn).
            await worker.setParameters({ user_defined_dpi: '300' });
            return worker;
          })
        );
        for (const worker of workers) scheduler.addWorker(worker);
      } catch (err) {
        await scheduler.terminate().catch(() => undefined);
        throw err;
      }
      return scheduler;
    })();
    const started = this.scheduler;
    started.catch(() => {
      if (this.scheduler === started) this.scheduler = null;
    });
    return started;
  }

  /** The text in each image, read in turn by the pool. */
  async read(images: Buffer[]): Promise<string> {
    let scheduler: Scheduler;
    try {
      scheduler = await this.start();
    } catch {
      throw unavailable('the text reader did not start');
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const jobs = Promise.all(images.map((image) => scheduler.addJob('recognize', image)));
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('ocr timeout')), this.timeoutMs);
      });
      const results = await Promise.race([jobs, timeout]);
      return results.map((r) => r.data.text).join('\n');
    } catch {
      // A worker that failed or hung is not trusted again: the next upload starts a new pool.
      void this.close();
      throw unavailable('the text reader failed');
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    const current = this.scheduler;
    this.scheduler = null;
    if (current === null) return;
    try {
      await (await current).terminate();
    } catch {
      // Already gone.
    }
  }
}

/** At most this many pages and characters of a PDF are read for the guard. */
const PDF_PAGES = 50;
const PDF_CHARS = 500_000;

/** The text layer of a PDF (scanned pages without one read as empty). Corrupt PDFs are a 400. */
export async function pdfText(bytes: Buffer): Promise<{ text: string; pages: number }> {
  let pdf: Awaited<ReturnType<typeof getDocumentProxy>>;
  try {
    pdf = await getDocumentProxy(new Uint8Array(bytes), { isEvalSupported: false, stopAtErrors: true, verbosity: 0 });
  } catch {
    throw new HttpError(400, 'validation_failed', 'the PDF could not be read: it is truncated, corrupt or encrypted', {
      file: 'the PDF is truncated, corrupt or encrypted'
    });
  }
  try {
    const pages = pdf.numPages;
    const parts: string[] = [];
    let length = 0;
    for (let n = 1; n <= Math.min(pages, PDF_PAGES) && length < PDF_CHARS; n++) {
      const page = await pdf.getPage(n);
      const content = await page.getTextContent();
      let line = '';
      for (const item of content.items) {
        if (!('str' in item)) continue;
        line += item.str + (item.hasEOL ? '\n' : ' ');
      }
      parts.push(line);
      length += line.length;
    }
    return { text: parts.join('\n').slice(0, PDF_CHARS), pages };
  } catch {
    throw new HttpError(400, 'validation_failed', 'the PDF could not be read: it is truncated, corrupt or encrypted', {
      file: 'the PDF is truncated, corrupt or encrypted'
    });
  } finally {
    await pdf.destroy().catch(() => undefined);
  }
}
