import { Box, Text } from 'ink';
import type { TaskView } from '../run-state.js';
import { taskColour, taskSymbol } from '../theme.js';

function depth(task: TaskView, byId: Map<string, TaskView>): number {
  let level = 0;
  let parent = task.parentId ? byId.get(task.parentId) : undefined;
  while (parent && level < 4) {
    level++;
    parent = parent.parentId ? byId.get(parent.parentId) : undefined;
  }
  return level;
}

/** The running step's listr2 subtasks, indented under it. */
export function SubtaskList({ tasks }: { tasks: TaskView[] }) {
  if (tasks.length === 0) return null;
  const byId = new Map(tasks.map((t) => [t.id, t]));
  return (
    <Box flexDirection="column">
      {tasks.map((task) => (
        <Box key={task.id} marginLeft={6 + depth(task, byId) * 2}>
          <Text color={taskColour[task.state]}>{taskSymbol[task.state]} </Text>
          <Text wrap="truncate-end" dimColor={task.state === 'pending' || task.state === 'skipped'}>
            {task.title}
          </Text>
        </Box>
      ))}
    </Box>
  );
}
