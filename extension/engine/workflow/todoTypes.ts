export type TodoStatus = 'pending' | 'in-progress' | 'done' | 'blocked';

/** One line of the run's to-do list, derived from the workflow state. */
export interface TodoItem {
  id: string;
  title: string;
  status: TodoStatus;
  role?: string;
  file?: string;
}
