/** What each fault case prints when it passes: the README's reliability table is read off these lines. */
export const checked = (what: string): void => void process.stdout.write(`  fault suite ✔ ${what}\n`);

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `test` until it holds; fails naming `what` after the timeout. */
export async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}
