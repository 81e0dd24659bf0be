import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { builtinActions } from '../../src/actions/index.js';
import { defineAction, type ActionRegistry } from '../../src/actions/registry.js';
import type { Prompter, PromptAnswer, PromptRequest } from '../../src/core/prompt.js';
import { sleep } from '../../src/core/sleep.js';
import { loadRunbookText, type LoadedRunbook } from '../../src/runbook/loader.js';

export function tempDir(prefix = 'pgdr-rb-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Answers by prompt id; unknown prompts get their default (confirm → true, checklist → all items). */
export function scripted(answers: Record<string, PromptAnswer> = {}): Prompter & { asked: PromptRequest[] } {
  const asked: PromptRequest[] = [];
  return {
    asked,
    async ask(request) {
      asked.push(request);
      if (request.id in answers) return answers[request.id]!;
      switch (request.kind) {
        case 'confirm':
          return request.default ?? true;
        case 'checklist':
          return request.items;
        case 'select':
          return request.choices[0]!.value;
        case 'type-name':
          return request.expected;
        case 'text':
          return request.default ?? '';
      }
    },
  };
}

/** The built-in actions plus small test actions: echo, flaky, hang, mark (with an undo). */
export function testActions(log: string[] = []): ActionRegistry {
  const counters = new Map<string, number>();
  return builtinActions()
    .register(
      defineAction({
        name: 'test.echo',
        describe: 'returns its arguments',
        with: z.record(z.string(), z.unknown()),
        async run(ctx, a) {
          log.push(`echo:${ctx.stepId}`);
          return a;
        },
      }),
    )
    .register(
      defineAction({
        name: 'test.flaky',
        describe: 'fails `failures` times',
        with: z.object({ failures: z.number() }),
        async run(ctx, a) {
          const n = (counters.get(ctx.stepId) ?? 0) + 1;
          counters.set(ctx.stepId, n);
          if (n <= a.failures) throw new Error(`flake ${n}`);
          return { attempts: n };
        },
      }),
    )
    .register(
      defineAction({
        name: 'test.hang',
        describe: 'never finishes, ignores its signal',
        with: z.object({}),
        async run() {
          await new Promise(() => {});
        },
      }),
    )
    .register(
      defineAction({
        name: 'test.mark',
        describe: 'switches something on',
        with: z.object({ name: z.string(), target: z.string().optional() }),
        outputs: ['marked'],
        targets: [{ field: 'target', access: 'write' }],
        async run(_ctx, a) {
          log.push(`on:${a.name}`);
          return { marked: a.name };
        },
        async undo(_ctx, a) {
          log.push(`off:${a.name}`);
        },
      }),
    )
    .register(
      defineAction({
        name: 'test.slow',
        describe: 'waits, honouring the signal',
        with: z.object({ ms: z.number() }),
        async run(ctx, a) {
          await sleep(a.ms, ctx.signal);
          return {};
        },
      }),
    );
}

/** A runbook of one phase `a` holding `steps` (YAML flow mappings, one a line). */
export function onePhaseRunbook(steps: string[], actions: ActionRegistry): LoadedRunbook {
  const yaml = `id: t\ntitle: Test runbook\nseverity: low\nrto: 1h\nrpo: 24h\nphases:\n  - id: a\n    title: A\n    steps:\n${steps.map((s) => `      - ${s}\n`).join('')}`;
  return loadRunbookText(yaml, 'test.yaml', actions);
}

/** The DOM headless Chromium makes of a file (its scripts run, for up to 2 s of virtual time), `width` px wide. */
export async function chromiumDom(file: string, width = 1280): Promise<string> {
  const { runProcess } = await import('../../src/core/system.js');
  return await runProcess('chromium', [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${tempDir('pgdr-chromium-')}`,
    `--window-size=${width},900`,
    '--virtual-time-budget=2000',
    '--dump-dom',
    `file://${file}`,
  ]);
}
