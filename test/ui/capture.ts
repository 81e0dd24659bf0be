/** A writable that keeps what was written, optionally pretending to be a terminal. */
export function captureStream(isTTY = false) {
  const chunks: string[] = [];
  return {
    isTTY,
    chunks,
    write(chunk: string): boolean {
      chunks.push(chunk);
      return true;
    },
    text: () => chunks.join(''),
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((l) => l !== ''),
  };
}

export type Capture = ReturnType<typeof captureStream>;
export const asStream = (capture: Capture) => capture as unknown as NodeJS.WriteStream;
