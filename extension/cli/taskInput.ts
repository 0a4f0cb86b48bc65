import fs from 'node:fs';
import path from 'node:path';
import { LIMITS } from '../engine/util/limits';
import { UsageError } from './usageError';

/** The task limit as the help text and errors spell it. */
export const TASK_LIMIT = LIMITS.taskChars.toLocaleString('en');
const limit = TASK_LIMIT;

/**
 * The task from `--task TEXT` or `--task-file FILE` (UTF-8), trimmed, within `LIMITS.taskChars`.
 * A longer task is refused at once with one line, before anything starts.
 */
export function taskFrom(text: string | undefined, file: string | undefined): string {
  if (text !== undefined && file !== undefined) throw new UsageError('Give the task either with --task or with --task-file, not both.');
  if (file !== undefined) return checkedTask(readTaskFile(path.resolve(file)), `--task-file ${file}`);
  if (!text?.trim()) throw new UsageError('--task is required (or --task-file FILE) and may not be empty.');
  return checkedTask(text, '--task');
}

function checkedTask(raw: string, what: string): string {
  const task = raw.trim();
  if (task === '') throw new UsageError(`${what}: the task is empty.`);
  if (task.length > LIMITS.taskChars) {
    // Shells refuse one argument past 128 KB, so a long task belongs in a file (up to the same limit).
    const advice = what === '--task' ? 'put it in a file and pass --task-file FILE, or shorten it' : 'shorten it, or move background into workspace files the task names';
    throw new UsageError(`${what}: the task is ${task.length.toLocaleString('en')} characters, over the limit of ${limit}; ${advice}.`);
  }
  return task;
}

function readTaskFile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`--task-file ${file} does not exist.`);
  }
  if (!stat.isFile()) throw new UsageError(`--task-file ${file} is not a file.`);
  // Four bytes a character at most: a bigger file cannot be within the limit, so it is not read whole.
  if (stat.size > LIMITS.taskChars * 4) throw new UsageError(`--task-file ${file} is ${stat.size.toLocaleString('en')} bytes, over the task limit of ${limit} characters; shorten it.`);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(fs.readFileSync(file)).replace(/^\uFEFF/, '');
  } catch (error) {
    if (error instanceof TypeError) throw new UsageError(`--task-file ${file} is not UTF-8 text.`);
    throw new UsageError(`--task-file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

/**
 * `--report FILE`, checked before the run: not a folder, and its folder exists or can be created
 * and is writable, so the report is never lost at the end of a long run.
 */
export function checkedReportPath(raw: string): string {
  const file = path.resolve(raw);
  if (raw.endsWith('/') || raw.endsWith(path.sep) || isDirectory(file)) throw new UsageError(`--report ${file} is a folder; name the report file, e.g. ${path.join(file, 'report.json')}.`);
  if (fs.existsSync(file) && !writable(file)) throw new UsageError(`--report ${file} exists and cannot be written.`);
  // The nearest folder that exists must be a folder we may write in (the rest is created).
  let dir = path.dirname(file);
  while (!fs.existsSync(dir) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  if (!isDirectory(dir)) throw new UsageError(`--report ${file} cannot be created: ${dir} is a file, not a folder.`);
  if (!writable(dir)) throw new UsageError(`--report ${file} cannot be created: ${dir} is not writable.`);
  return file;
}

function isDirectory(target: string): boolean {
  try {
    return fs.statSync(target).isDirectory();
  } catch {
    return false;
  }
}

function writable(target: string): boolean {
  try {
    fs.accessSync(target, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}
