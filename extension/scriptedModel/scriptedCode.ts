/**
 * The code the scripted coders write. JavaScript files get plain ES modules; TypeScript files get
 * typed code that passes `tsc --noEmit` under `strict` (unused parameters included), so a
 * diagnostics gate sees errors only where the script plants one on purpose.
 */

export interface CodeShape {
  /** The fix of a review finding: the input is checked before use. */
  guarded: boolean;
  /** One deliberate type error (`const count: number = "three"`), for the diagnostics gate to find. */
  typeError: boolean;
}

export function isTypeScript(file: string): boolean {
  return /\.(c|m)?tsx?$/.test(file);
}

export function exportName(file: string): string {
  const base = file.split('/').pop()!.replace(/\.[a-z]+$/, '');
  return base.replace(/[^A-Za-z0-9]+(.)/g, (_, c: string) => c.toUpperCase());
}

/** The structure step's file: a signature and pseudocode, which throws until implemented. */
export function scaffold(file: string, purpose: string): string {
  const name = exportName(file);
  const signature = isTypeScript(file) ? `${name}(_input: unknown): never` : `${name}(input)`;
  return `// ${file}: ${purpose}\n// PSEUDOCODE: validate the input, compute the result, return it.\nexport function ${signature} {\n  throw new Error('${name} is not implemented yet');\n}\n`;
}

/** The implementing (or fixing) coder's file. */
export function implementation(file: string, purpose: string, shape: CodeShape): string {
  return isTypeScript(file) ? typeScriptBody(file, purpose, shape) : javaScriptBody(file, purpose, shape);
}

function javaScriptBody(file: string, purpose: string, shape: CodeShape): string {
  const guard = shape.guarded ? "  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');\n" : '';
  // In JavaScript the error is a JSDoc type that `tsc --checkJs` (or the language server) reports.
  const head = shape.typeError ? '// @ts-check\n/** @type {number} */\nconst count = "three";\n/** @param {object} input */\n' : '';
  const count = shape.typeError ? 'count, ' : '';
  return `// ${file}: ${purpose}\n${head}export function ${exportName(file)}(input) {\n${guard}  return { ...input, ${count}checkedAt: new Date(0).toISOString() };\n}\n`;
}

function typeScriptBody(file: string, purpose: string, shape: CodeShape): string {
  const name = exportName(file);
  const head = shape.typeError ? 'const count: number = "three";\n' : '';
  const count = shape.typeError ? 'count, ' : '';
  const body = shape.guarded
    ? `export function ${name}(input: unknown): Record<string, unknown> {\n  if (typeof input !== 'object' || input === null) throw new TypeError('input must be an object');\n  return { ...input, ${count}checkedAt: new Date(0).toISOString() };\n}\n`
    : `export function ${name}(input: Record<string, unknown>): Record<string, unknown> {\n  return { ...input, ${count}checkedAt: new Date(0).toISOString() };\n}\n`;
  return `// ${file}: ${purpose}\n${head}${body}`;
}
