import { describe, expect, it } from 'vitest';
import { asStream, captureStream } from '../../test/ui/capture.js';
import { createProgressPrinter } from './progress-printer.js';

const MiB = 1024 * 1024;

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('createProgressPrinter', () => {
  it('rewrites one line in place about twice a second on a terminal', () => {
    const out = captureStream(true);
    const time = clock();
    const printer = createProgressPrinter(asStream(out), { now: time.now });
    for (let i = 0; i <= 110; i++) {
      printer.update({ label: 'dump', done: i * 3.82 * MiB, unit: 'bytes' });
      time.advance(100);
    }
    printer.finish();
    const writes = out.chunks.filter((c) => c.startsWith('\r'));
    expect(writes.length).toBeGreaterThanOrEqual(20);
    expect(writes.length).toBeLessThanOrEqual(24);
    expect(out.text().endsWith('\n')).toBe(true);
    expect(writes.at(-1)).toBe('\rdump  420 MiB  38.2 MiB/s  00:11\u001B[K');
  });

  it('shows percent and ETA when the total is known', () => {
    const out = captureStream(true);
    const time = clock();
    const printer = createProgressPrinter(asStream(out), { now: time.now });
    printer.update({ label: 'dump', done: 0, total: 687.6 * MiB, unit: 'bytes' });
    time.advance(11_000);
    printer.update({ label: 'dump', done: 412 * MiB, total: 687.6 * MiB, unit: 'bytes' });
    expect(out.chunks.at(-1)).toBe('\rdump  412 MiB  59%  37.5 MiB/s  00:11  ETA 00:07\u001B[K');
  });

  it('writes a plain line every 10 s when not on a terminal, and the last reading at the end', () => {
    const out = captureStream(false);
    const time = clock();
    const printer = createProgressPrinter(asStream(out), { now: time.now });
    for (let i = 0; i <= 35; i++) {
      printer.update({ label: 'restore', done: i * 1000, total: 35_000, unit: 'rows' });
      time.advance(1000);
    }
    printer.finish();
    const lines = out.lines();
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.startsWith('restore  '))).toBe(true);
    expect(lines.at(-1)).toContain('35,000 rows  100%');
    expect(out.text()).not.toContain('\r');
  });

  it('prints the reading that completes a track when it comes, and not again at the end', () => {
    const out = captureStream(false);
    const time = clock();
    const printer = createProgressPrinter(asStream(out), { now: time.now });
    printer.update({ label: 'checksum + decrypt', done: 0, total: 156 * MiB, unit: 'bytes' });
    time.advance(1200);
    printer.update({ label: 'checksum + decrypt', done: 156 * MiB, total: 156 * MiB, unit: 'bytes' });
    expect(out.lines().at(-1)).toContain('checksum + decrypt  156 MiB  100%');
    const printed = out.lines().length;
    time.advance(6000);
    printer.finish();
    expect(out.lines()).toHaveLength(printed);
  });

  it('starts a new line when the label changes on a terminal', () => {
    const out = captureStream(true);
    const time = clock();
    const printer = createProgressPrinter(asStream(out), { now: time.now });
    printer.update({ label: 'dump', done: 1, unit: 'bytes' });
    time.advance(1000);
    printer.update({ label: 'upload', done: 1, unit: 'bytes' });
    printer.finish();
    expect(out.text()).toMatch(/^\rdump .*\n\rupload .*\n$/);
  });
});
