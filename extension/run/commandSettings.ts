/*
 * The settings that decide what agents may run and write beyond their grants:
 * `kiloOrchestra.testCommand`, `kiloOrchestra.allowedCommands`, `kiloOrchestra.allowControlFiles`.
 * No `vscode` import: the controller passes the raw values in.
 */
import { z } from 'zod';
import { ControlFileNameSchema } from '../engine/roles/roleSchema';
import { CommandTextSchema, type CommandSettings } from '../engine/shell/commandPolicy';

export interface RawCommandSettings {
  testCommand?: unknown;
  allowedCommands?: unknown;
  allowControlFiles?: unknown;
}

export interface ExtensionCommandSettings {
  /** For the Kilo backend; an empty test command means the project's own (`npm test` from package.json). */
  commands: CommandSettings;
  /** For the run: control files agents may write when the plan names them. */
  allowControlFiles: string[];
}

const MAX_ENTRIES = 50;

/**
 * Reads the three settings. A value that does not pass its schema is left out with a warning, never
 * widened: a bad test command falls back to the project's, a bad entry is dropped from its list.
 */
export function readCommandSettings(raw: RawCommandSettings, warn: (problem: string) => void): ExtensionCommandSettings {
  const commands: CommandSettings = {};
  if (typeof raw.testCommand === 'string' && raw.testCommand.trim() !== '') {
    const parsed = CommandTextSchema.safeParse(raw.testCommand);
    if (parsed.success) commands.testCommand = parsed.data;
    else warn(`kiloOrchestra.testCommand is ignored (${reason(parsed.error)}); the project's own test command applies.`);
  } else if (raw.testCommand !== undefined && raw.testCommand !== null && typeof raw.testCommand !== 'string') {
    warn("kiloOrchestra.testCommand must be a command line; it is ignored and the project's own test command applies.");
  }
  const allowedCommands = validEntries('allowedCommands', raw.allowedCommands, CommandTextSchema, warn);
  if (allowedCommands.length > 0) commands.allowedCommands = allowedCommands;
  return { commands, allowControlFiles: validEntries('allowControlFiles', raw.allowControlFiles, ControlFileNameSchema, warn) };
}

function validEntries(setting: string, value: unknown, schema: z.ZodType<string>, warn: (problem: string) => void): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) {
    warn(`kiloOrchestra.${setting} must be a list of strings; it is ignored.`);
    return [];
  }
  const kept: string[] = [];
  for (const entry of value) {
    const parsed = schema.safeParse(entry);
    if (!parsed.success) warn(`kiloOrchestra.${setting}: ${JSON.stringify(entry)?.slice(0, 80)} is left out (${reason(parsed.error)}).`);
    else if (!kept.includes(parsed.data)) kept.push(parsed.data);
  }
  if (kept.length > MAX_ENTRIES) warn(`kiloOrchestra.${setting}: only the first ${MAX_ENTRIES} entries are used.`);
  return kept.slice(0, MAX_ENTRIES);
}

function reason(error: z.ZodError): string {
  return (error.issues[0]?.message ?? 'invalid').replace(/\s+/g, ' ').slice(0, 200);
}
