import { AppError, ConflictError, NotFoundError, UnprocessableError } from '@omni/kit';
import type { PickupTask, TaskAction } from '../domain/task';

export function taskNotFound(taskId: string): NotFoundError {
  return new NotFoundError('pickup task', taskId);
}

export function illegalTransition(
  task: Pick<PickupTask, '_id' | 'state'>,
  action: TaskAction,
): ConflictError {
  return new ConflictError(
    'illegal-transition',
    `cannot ${action} pickup task ${task._id} in state ${task.state}`,
    {
      taskId: task._id,
      state: task.state,
      action,
    },
  );
}

/** 423: too many wrong codes; a manager must unlock the task. */
export class TaskLockedError extends AppError {
  constructor(taskId: string) {
    super(423, 'pickup-task-locked', 'Locked', {
      detail: `pickup task ${taskId} is locked after too many wrong codes; a manager must unlock it`,
      extensions: { taskId, attemptsLeft: 0 },
    });
  }
}

export function wrongCode(taskId: string, attemptsLeft: number, reason: string): UnprocessableError {
  return new UnprocessableError('wrong-pickup-code', `the pickup code does not match (${reason})`, {
    taskId,
    attemptsLeft,
  });
}
