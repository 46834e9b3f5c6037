/**
 * Uploads of many stations handed on together: a county's 720 grid stations send their minute within the same
 * second, and one ingest job (one transaction) per upload costs far more than the six values it stores. Uploads are
 * gathered for at most `maxWaitMs` or `maxReadings` and queued as one job; each upload's promise settles when its
 * batch is queued (or could not be), so the listener acknowledges an upload only once it is queued, as before — an
 * upload whose batch was not queued is not acknowledged and the station sends it again.
 */
import type { NormalizedReading, Rejection } from '../ingest/normalize.ts';

export interface UploadBatches {
  /** Adds one upload's readings and rejections; resolves once the batch holding them is queued. */
  add(readings: readonly NormalizedReading[], rejections: readonly Rejection[]): Promise<void>;
  /** Queues what is gathered now (at shutdown). */
  flush(): Promise<void>;
}

export interface UploadBatchOptions {
  /** Longest an upload waits for others, ms (its acknowledgement waits as long). */
  maxWaitMs: number;
  /** A batch is queued at once when it holds this many readings. */
  maxReadings: number;
  queue(readings: NormalizedReading[], rejections: Rejection[]): Promise<void>;
}

export function uploadBatches(options: UploadBatchOptions): UploadBatches {
  let readings: NormalizedReading[] = [];
  let rejections: Rejection[] = [];
  let waiting: { resolve: () => void; reject: (error: unknown) => void }[] = [];
  let timer: NodeJS.Timeout | null = null;

  const flush = async () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (waiting.length === 0) return;
    const batch = { readings, rejections, waiting };
    [readings, rejections, waiting] = [[], [], []];
    try {
      await options.queue(batch.readings, batch.rejections);
      for (const w of batch.waiting) w.resolve();
    } catch (error) {
      for (const w of batch.waiting) w.reject(error);
    }
  };

  return {
    add: (more, moreRejections) =>
      new Promise<void>((resolve, reject) => {
        readings.push(...more);
        rejections.push(...moreRejections);
        waiting.push({ resolve, reject });
        if (readings.length >= options.maxReadings) void flush();
        else timer ??= setTimeout(() => void flush(), options.maxWaitMs);
      }),
    flush,
  };
}
