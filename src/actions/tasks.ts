import { Listr, ListrTaskEventType, ListrTaskState, type ListrTask, type ListrTaskObject } from 'listr2';
import type { ActionContext, TaskState } from './registry.js';
import { redact } from '../core/secrets.js';

// The bridge only reads a task's title, state and output, whatever its context and renderer types.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyTask = ListrTaskObject<any, any, any>;

interface BridgeOptions {
  ctx?: ActionContext;
}

const STATES: Partial<Record<string, TaskState>> = {
  [ListrTaskState.WAITING]: 'pending',
  [ListrTaskState.STARTED]: 'running',
  [ListrTaskState.RETRY]: 'running',
  [ListrTaskState.PROMPT]: 'running',
  [ListrTaskState.PROMPT_COMPLETED]: 'running',
  [ListrTaskState.COMPLETED]: 'done',
  [ListrTaskState.FAILED]: 'failed',
  [ListrTaskState.SKIPPED]: 'skipped',
};

/**
 * A listr2 renderer that draws nothing: it forwards each task's state and title as `task.updated` events and its
 * output as `log` events, so the Ink UI, the plain printer and the journal all see subtasks the same way.
 */
export class EventBridgeRenderer {
  static nonTTY = true;
  static rendererOptions: BridgeOptions = {};
  static rendererTaskOptions: Record<PropertyKey, never> = {};

  constructor(
    private readonly tasks: AnyTask[],
    private readonly options: BridgeOptions,
  ) {}

  render(): void {
    this.observe(this.tasks, undefined);
  }

  end(): void {}

  private observe(tasks: AnyTask[], parentId: string | undefined): void {
    const ctx = this.options.ctx;
    if (!ctx) return;
    for (const task of tasks) {
      const send = (state?: TaskState) =>
        ctx.emit({
          type: 'task.updated',
          at: ctx.now(),
          stepId: ctx.stepId,
          taskId: task.id,
          title: redact(task.title ?? ''),
          state: state ?? current(task),
          parentId,
        });
      task.on(ListrTaskEventType.STATE, (state: string) => {
        const mapped = STATES[state];
        if (mapped) send(mapped);
      });
      task.on(ListrTaskEventType.TITLE, () => send());
      task.on(ListrTaskEventType.OUTPUT, (data: string) => {
        for (const line of String(data).split('\n')) if (line.trim()) ctx.log.info(line);
      });
      task.on(ListrTaskEventType.SUBTASK, (subtasks: AnyTask[]) => this.observe(subtasks, task.id));
    }
  }
}

function current(task: AnyTask): TaskState {
  if (task.hasFailed()) return 'failed';
  if (task.isSkipped()) return 'skipped';
  if (task.isCompleted()) return 'done';
  if (task.isStarted()) return 'running';
  return 'pending';
}

/** Runs listr2 tasks inside an action; the run's abort signal stops them; listr2 never touches the terminal. */
export async function runTasks<Ctx extends object>(
  ctx: ActionContext,
  tasks: ListrTask<Ctx, typeof EventBridgeRenderer>[],
  initial: Ctx = {} as Ctx,
): Promise<Ctx> {
  const listr = new Listr<Ctx, typeof EventBridgeRenderer, typeof EventBridgeRenderer>(tasks, {
    renderer: EventBridgeRenderer,
    fallbackRenderer: EventBridgeRenderer,
    rendererOptions: { ctx },
    fallbackRendererOptions: { ctx },
    registerSignalListeners: false,
    exitOnError: true,
    ctx: initial,
  });
  // Tasks stop by watching ctx.signal themselves; listr2 has no cancel of its own.
  return await listr.run();
}
