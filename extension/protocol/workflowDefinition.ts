import { z } from 'zod';

/*
 * The workflow as data: which optional steps run, the loop limits, when tests run, the diagnostics
 * gate, and where custom roles join. The roles file (`"workflow": {…}` and a role's `"joins"`), the
 * stored configuration and the Agent Roles tab all carry this shape; the engine turns it into the
 * rules the pure machine reads (engine/workflow/workflowRules.ts). One home for the shape and its
 * defaults: the host and the webview import it from here.
 */

/** The steps a custom role can join. */
export const JOINABLE_STEPS = ['CODE_REVIEW', 'DOCUMENTATION', 'TESTING'] as const;
export type JoinableStep = (typeof JOINABLE_STEPS)[number];

const RoleId = z.string().regex(/^[a-z][a-z0-9-]{1,39}$/, 'A role id is 2–40 lower-case letters, digits or dashes, starting with a letter.');

/**
 * Which files a step looks at: a workspace-relative glob (`src/**`, `*.sql`, `src/{api,db}/**`).
 * `..`, absolute paths and backslashes are refused: a glob selects plan files, it never reaches out.
 */
export const FileGlobSchema = z
  .string()
  .trim()
  .min(1)
  .max(200)
  .refine((glob) => !/^([a-zA-Z]:|\/)/.test(glob) && !glob.includes('\\') && !glob.split('/').includes('..'), 'A file pattern is relative to the workspace, with / between folders and no "..".');

/**
 * Where a custom role takes part. `CODE_REVIEW`: it reviews every file (or those matching `files`)
 * after `after` (a reviewer's role id; default: after the last reviewer), and its rejection sends the
 * file back to its coder like the Code Sceptic's. `DOCUMENTATION` / `TESTING`: it runs once in that
 * phase, after the phase's own role (`after` is then that role, or left out), with the code of the
 * matching files as its input, writing only the files named in `writes`.
 */
export const RoleJoinSchema = z.strictObject({
  step: z.enum(JOINABLE_STEPS),
  after: RoleId.optional(),
  files: FileGlobSchema.optional(),
  /** For a DOCUMENTATION or TESTING step: the files it may write (exact workspace paths, e.g. CHANGELOG.md). */
  writes: z.array(FileGlobSchema.refine((name) => !/[*?{}[\]]/.test(name), 'A written file is named exactly, without wildcards.')).max(20).optional(),
});
export type RoleJoin = z.infer<typeof RoleJoinSchema>;

/** When the Debugger runs the tests: once at the end, or also after milestones. */
export const TestScheduleSchema = z.discriminatedUnion('when', [
  z.strictObject({ when: z.literal('end') }),
  /** Also every time `files` more files are approved, on the approved files so far. */
  z.strictObject({ when: z.literal('every-files'), files: z.number().int().min(1).max(1000) }),
  /** Also whenever every file of a folder is approved, on that folder's files. */
  z.strictObject({ when: z.literal('each-folder') }),
]);
export type TestSchedule = z.infer<typeof TestScheduleSchema>;

/** A checker command is one line of plain text; the engine checks it again with its command policy. */
const CheckCommand = z.string().trim().min(1).max(300).refine((text) => !/[\n\r\0]/.test(text), 'A command is one line.');

/**
 * The diagnostics gate: a coder's files are checked before review, and errors go straight back to
 * the coder (at most `maxRounds` times, then the file goes to review with the errors noted). In VS Code
 * the running language features are asked; headless, `command` (e.g. `npx tsc --noEmit -p .`) or, when
 * none is set, the project's own `tsc` when it has a tsconfig.json and TypeScript installed.
 */
export const DiagnosticsGateSchema = z.strictObject({
  enabled: z.boolean().optional(),
  command: CheckCommand.optional(),
  maxRounds: z.number().int().min(0).max(10).optional(),
});
export type DiagnosticsGate = z.infer<typeof DiagnosticsGateSchema>;

const loopLimit = z.number().int().min(0).max(20);

/** The `workflow` section of a roles file. Every field is optional: left out means the built-in workflow. */
export const WorkflowDefinitionSchema = z.strictObject({
  documentation: z.boolean().optional(),
  testing: z.boolean().optional(),
  maxPlanRevisions: loopLimit.optional(),
  maxFixRounds: loopLimit.optional(),
  maxTestCycles: loopLimit.optional(),
  tests: TestScheduleSchema.optional(),
  diagnostics: DiagnosticsGateSchema.optional(),
});
export type WorkflowDefinition = z.infer<typeof WorkflowDefinitionSchema>;

/** A definition with every field filled in. */
export interface ResolvedWorkflow {
  documentation: boolean;
  testing: boolean;
  maxPlanRevisions: number;
  maxFixRounds: number;
  maxTestCycles: number;
  tests: TestSchedule;
  diagnostics: { enabled: boolean; maxRounds: number; command?: string };
}

/** The built-in workflow of the specification. */
export const DEFAULT_WORKFLOW: ResolvedWorkflow = {
  documentation: true,
  testing: true,
  maxPlanRevisions: 3,
  maxFixRounds: 3,
  maxTestCycles: 2,
  tests: { when: 'end' },
  diagnostics: { enabled: true, maxRounds: 2 },
};

/** A definition with the built-in values filled in where the user left a field out. */
export function resolveWorkflow(definition: WorkflowDefinition | undefined): ResolvedWorkflow {
  const given = definition ?? {};
  return {
    documentation: given.documentation ?? DEFAULT_WORKFLOW.documentation,
    testing: given.testing ?? DEFAULT_WORKFLOW.testing,
    maxPlanRevisions: given.maxPlanRevisions ?? DEFAULT_WORKFLOW.maxPlanRevisions,
    maxFixRounds: given.maxFixRounds ?? DEFAULT_WORKFLOW.maxFixRounds,
    maxTestCycles: given.maxTestCycles ?? DEFAULT_WORKFLOW.maxTestCycles,
    tests: given.tests ?? DEFAULT_WORKFLOW.tests,
    diagnostics: {
      enabled: given.diagnostics?.enabled ?? DEFAULT_WORKFLOW.diagnostics.enabled,
      maxRounds: given.diagnostics?.maxRounds ?? DEFAULT_WORKFLOW.diagnostics.maxRounds,
      ...(given.diagnostics?.command !== undefined ? { command: given.diagnostics.command } : {}),
    },
  };
}

/**
 * Whether `path` (workspace-relative, `/`) matches `glob`: `*` within one folder name, `**` across
 * folders, `?` one character, `{a,b}` alternatives. A glob without `/` matches the file's name in any
 * folder (`*.sql`), as .gitignore does. Pure, no dependencies: the webview shows the same matches.
 */
export function matchesGlob(path: string, glob: string): boolean {
  const pattern = glob.includes('/') ? glob.replace(/^\.\//, '') : `**/${glob}`;
  return globRegExp(pattern).test(path);
}

function globRegExp(glob: string): RegExp {
  let source = '';
  let inBraces = false;
  for (let index = 0; index < glob.length; index++) {
    const char = glob[index]!;
    if (char === '*' && glob[index + 1] === '*') {
      const slashAfter = glob[index + 2] === '/';
      source += slashAfter ? '(?:.*/)?' : '.*';
      index += slashAfter ? 2 : 1;
    } else if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '{') {
      inBraces = true;
      source += '(?:';
    } else if (char === '}' && inBraces) {
      inBraces = false;
      source += ')';
    } else if (char === ',' && inBraces) source += '|';
    else source += char.replace(/[.+^$()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}
