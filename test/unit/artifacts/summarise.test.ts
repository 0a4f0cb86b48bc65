import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ARTIFACT_TYPES, SUMMARY_TOKEN_CAP } from '../../../extension/engine/artifacts/artifactSchema';
import { capSummary, deriveSummary } from '../../../extension/engine/artifacts/summarise';
import { countTokens } from '../../../extension/engine/tokens/tokenCounter';

const longProse = 'The architect splits the work into small files so that each coder can work alone. '.repeat(20);

describe('capSummary', () => {
  it('collapses all whitespace into a single line', () => {
    expect(capSummary('  Adds\n\tthe   parser\r\n and tests  ')).toEqual({ summary: 'Adds the parser and tests', tokens: countTokens('Adds the parser and tests') });
  });

  it('cuts long text to the summary cap with an ellipsis', () => {
    const { summary, tokens } = capSummary(longProse);
    expect(tokens).toBeLessThanOrEqual(SUMMARY_TOKEN_CAP);
    expect(tokens).toBe(countTokens(summary));
    expect(summary.endsWith('…')).toBe(true);
  });

  it('honours a smaller cap', () => {
    expect(capSummary(longProse, 5).tokens).toBeLessThanOrEqual(5);
  });
});

describe('deriveSummary', () => {
  it("uses the agent's own summary when it gives one", () => {
    expect(deriveSummary('plan', '# Something else', 'Plan for the CLI parser').summary).toBe('Plan for the CLI parser');
  });

  it("caps the agent's own summary", () => {
    expect(deriveSummary('review', 'ok', longProse).tokens).toBeLessThanOrEqual(SUMMARY_TOKEN_CAP);
  });

  it('derives from the content when the agent summary is blank', () => {
    expect(deriveSummary('plan', '# Parser plan\n\nSplit into lexer and parser.', '  \n ').summary).toBe('Parser plan');
  });

  it('takes the first heading of markdown content', () => {
    expect(deriveSummary('documentation', '## Usage of **the** CLI\nRun it.').summary).toBe('Usage of the CLI');
  });

  it('takes the first sentence of prose content', () => {
    expect(deriveSummary('review', 'Looks good overall. Two nits in the tests.').summary).toBe('Looks good overall.');
  });

  it('leads with the file names for code', () => {
    const { summary } = deriveSummary('code', 'export const a = 1;\nexport const b = 2;\n', undefined, ['src/a.ts']);
    expect(summary).toBe('code for src/a.ts (2 lines, no summary given)');
  });

  it('names empty code rather than returning nothing', () => {
    expect(deriveSummary('code', '', undefined, ['src/a.ts']).summary).toBe('code for src/a.ts (empty, no summary given)');
    expect(deriveSummary('plan', '   ').summary).toBe('plan (empty, no summary given)');
  });

  it('lists at most three files and counts the rest', () => {
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts'];
    expect(deriveSummary('pseudocode', 'Outline of the modules.', undefined, files).summary).toBe('pseudocode for a.ts, b.ts, c.ts and 2 more: Outline of the modules.');
  });

  it('stays within the cap for a very long first sentence', () => {
    expect(deriveSummary('plan', longProse.replace(/\./g, ',')).tokens).toBeLessThanOrEqual(SUMMARY_TOKEN_CAP);
  });

  it('is never empty, never multi-line and never above the cap, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ARTIFACT_TYPES),
        fc.string({ unit: 'grapheme', maxLength: 400 }),
        fc.option(fc.string({ unit: 'grapheme', maxLength: 400 }), { nil: undefined }),
        fc.array(fc.stringMatching(/^[a-z]{1,12}\/[a-z]{1,12}\.ts$/), { maxLength: 6 }),
        (type, content, agentSummary, files) => {
          const { summary, tokens } = deriveSummary(type, content, agentSummary, files);
          expect(summary.trim()).not.toBe('');
          expect(summary).not.toMatch(/\n/);
          expect(tokens).toBe(countTokens(summary));
          expect(tokens).toBeLessThanOrEqual(SUMMARY_TOKEN_CAP);
        },
      ),
      { numRuns: 200 },
    );
  });
});
