import { isOrchestraError } from '../engine/util/errors';
import { USAGE, UsageError, parseCliArgs } from './cliArgs';
import { forkCommand } from './forkCommand';
import { replayCommand } from './replayCommand';
import { resumeCommand } from './resumeCommand';
import { rollbackCommand } from './rollbackCommand';
import { runCommand } from './runCommand';
import { sayCommand } from './sayCommand';

declare const __VERSION__: string;

async function main(argv: string[]): Promise<number> {
  const args = parseCliArgs(argv);
  if (args.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (args.command === 'version') {
    process.stdout.write(`${typeof __VERSION__ === 'string' ? __VERSION__ : 'dev'}\n`);
    return 0;
  }
  if (args.command === 'resume') return resumeCommand(args);
  if (args.command === 'rollback') return rollbackCommand(args);
  if (args.command === 'replay') return args.fork ? forkCommand(args, args.fork) : replayCommand(args);
  if (args.command === 'say') return sayCommand(args);
  return runCommand(args);
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError || isOrchestraError(error, 'invalid-config') || isOrchestraError(error, 'workspace-busy')) {
      process.stderr.write(`kilo-orchestra: ${error.message}\n`);
      process.exit(2);
    }
    const hint = isOrchestraError(error) && error.hint ? `\n${error.hint}` : '';
    process.stderr.write(`kilo-orchestra: ${error instanceof Error ? error.message : String(error)}${hint}\n`);
    process.exit(1);
  },
);
