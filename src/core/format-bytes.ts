const BYTE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

/** "867 KiB", "4.9 GiB": binary units, one decimal below 100. Shared by the UI and the commands' summaries. */
export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < BYTE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 || value >= 100 ? 0 : 1;
  return `${value.toFixed(digits)} ${BYTE_UNITS[unit]}`;
}
