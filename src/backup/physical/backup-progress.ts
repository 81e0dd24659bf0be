const UNITS: Record<string, number> = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3, TB: 1024 ** 4, PB: 1024 ** 5 };
// pgBackRest's detail line per file: "backup file /…/base/5/1259 (440KB, 2.06%) checksum …" (or "match file …").
const FILE_LINE = /\bfile .* \((\d+(?:\.\d+)?)(B|KB|MB|GB|TB|PB), (\d{1,3}(?:\.\d+)?)%\)/;

/** Bytes copied so far, and the whole, from pgBackRest's per-file lines: each names a file's size and the running percentage. */
export class BackupProgress {
  private bytes = 0;

  constructor(private readonly report: (done: number, total: number | undefined) => void) {}

  read(line: string): void {
    const m = FILE_LINE.exec(line);
    if (!m) return;
    this.bytes += Number(m[1]) * UNITS[m[2]!]!;
    const percent = Number(m[3]);
    const total = percent > 0 ? Math.max(this.bytes, Math.round(this.bytes / (percent / 100))) : undefined;
    this.report(Math.round(this.bytes), total);
  }
}
