// Compiled (never run) by test/types.test.js with `tsc --noEmit`: the shipped index.d.ts must accept
// this use of the API and reject the lines marked @ts-expect-error.
import * as pyjamaz from '../..';
import type { OptimizeOptions, OptimizeResult, MemoryStats, Format, StatusCode } from '../..';

const input: Buffer = Buffer.from([0xff, 0xd8, 0xff]);
const options: OptimizeOptions = { formats: ['jpeg', 'webp'], maxBytes: 10_000, maxDiff: 0.01, stripMetadata: true };

const result: OptimizeResult = pyjamaz.optimize(input, options);
const bytes: Buffer = result.data;
const format: Format | 'original' = result.format;
const quality: number | null = result.quality;
const later: Promise<OptimizeResult> = pyjamaz.optimizeAsync(new Uint8Array(4));
const fromFile: OptimizeResult = pyjamaz.optimizeFile('/tmp/x.jpg');
const fromFileLater: Promise<OptimizeResult> = pyjamaz.optimizeFileAsync('/tmp/x.jpg', { concurrency: 2 });
const formats: Format[] = pyjamaz.supportedFormats();
const stats: MemoryStats = pyjamaz.memoryStats();
const live: number = stats.liveResults + stats.vipsLiveObjects;
const version: string = pyjamaz.version();

try {
    pyjamaz.optimize(input);
} catch (error) {
    if (error instanceof pyjamaz.PyjamazError) {
        const code: StatusCode = error.code;
        const status: number = error.status;
        void [code, status];
    }
}

// @ts-expect-error: formats are names, not bits
pyjamaz.optimize(input, { formats: [1] });
// @ts-expect-error: unknown option
pyjamaz.optimize(input, { maxbytes: 10 });
// @ts-expect-error: input must be bytes
pyjamaz.optimize('not bytes');
// @ts-expect-error: 'original' is a result, not a choice
pyjamaz.optimize(input, { formats: ['original'] });

void [bytes, format, quality, later, fromFile, fromFileLater, formats, live, version];
