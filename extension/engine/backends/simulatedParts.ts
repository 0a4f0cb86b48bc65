import { boundedPatch, capText, capValue, type TranscriptPart } from '../../protocol/transcriptPart';

/**
 * The simulated backend's write as the transcript part a Kilo session's `write` tool call gives:
 * the file as target, the content as input, and the patch from what was there before.
 */
export function writePart(file: string, content: string, before: string, status: 'running' | 'completed'): TranscriptPart {
  const input = capValue({ filePath: file, content });
  return {
    id: `write:${file}`,
    kind: 'tool',
    tool: 'write',
    status,
    target: file,
    ...(input ? { input } : {}),
    ...(status === 'completed' ? { output: capText('Wrote file successfully.'), diff: capText(boundedPatch(file, before, content)) } : {}),
  };
}
