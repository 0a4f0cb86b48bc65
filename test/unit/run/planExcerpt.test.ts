import { describe, expect, it } from 'vitest';
import { PLAN_EXCERPT, planExcerpt, planReviewPart, readsWholePlan, type PlanEntry } from '../../../extension/engine/run/planExcerpt';
import { renderPrompt } from '../../../extension/engine/run/promptInputs';

/** A plan as the recorder stores it: the architect's markdown with a section per file, then `## Files`. */
function aPlan(files: number): { content: string; entries: PlanEntry[] } {
  const entries = Array.from({ length: files }, (_, i) => ({ path: `src/module${String(i).padStart(4, '0')}.ts`, purpose: `Module ${i} of the service` }));
  const sections = entries.map((entry, i) => `### ${entry.path}\nExports run${i}(); calls run${i + 1}() of the next module.\n`);
  const text = ['# Plan: the inventory service', '', '## Approach', 'Small modules, each with one entry point and its types.', '', '## Modules', ...sections, '## Risks', `Most of it touches src/module0003.ts, the hub.`].join('\n');
  return { content: `${text}\n\n## Files\n${entries.map((entry) => `- ${entry.path}`).join('\n')}\n`, entries };
}

describe('the plan as one piece of work reads it', () => {
  it('keeps the head, the section about the file and the lines naming it, and its entry', () => {
    const { content, entries } = aPlan(40);
    const excerpt = planExcerpt(content, entries, ['src/module0017.ts']);
    expect(excerpt).toContain('## Approach');
    expect(excerpt).toContain('### src/module0017.ts\nExports run17(); calls run18() of the next module.');
    expect(excerpt).toContain('## Your files\n- src/module0017.ts: Module 17 of the service');
    expect(excerpt).toContain('The plan names 40 files in all.');
    // A section about another file is not there; the gap says something was left out.
    expect(excerpt).not.toContain('### src/module0030.ts');
    expect(excerpt).toContain('…');
  });

  it('is the same size for a 40-file plan and a 2,000-file one, and bounded whatever the plan says', () => {
    const sizes = [40, 2000].map((files) => {
      const { content, entries } = aPlan(files);
      return planExcerpt(content, entries, ['src/module0017.ts']).length;
    });
    expect(Math.abs(sizes[1]! - sizes[0]!)).toBeLessThan(100);
    // Every line naming the file, a thousand times over: still within the cap.
    const noisy = `# Plan\n${'See src/module0001.ts again.\n'.repeat(1000)}`;
    const bound = PLAN_EXCERPT.textChars + PLAN_EXCERPT.neighbours * 1_100 + PLAN_EXCERPT.ownFiles * 2_200 + 1_000;
    expect(planExcerpt(noisy, aPlan(2000).entries, ['src/module0001.ts']).length).toBeLessThan(bound);
  });

  it('lists a batch’s files with their purposes, at most the cap, and a few paths beside them', () => {
    const { content, entries } = aPlan(100);
    const batch = entries.slice(0, 50).map((entry) => entry.path);
    const excerpt = planExcerpt(content, entries, batch);
    expect(excerpt).toContain(`- src/module0029.ts: Module 29 of the service`);
    expect(excerpt).not.toContain(`- src/module0030.ts: Module 30`);
    expect(excerpt).toContain(`- … and 20 more (named in the instruction)`);
    const beside = excerpt.slice(excerpt.indexOf('## Other planned files beside them')).split('\n').slice(1);
    expect(beside).toHaveLength(PLAN_EXCERPT.neighbours);
    expect(beside[0]).toBe('- src/module0050.ts');
  });

  it('a part of a long plan reads, for its review, what a whole plan of that many files says', () => {
    const own = aPlan(25).entries.map((entry) => entry.path);
    const whole = aPlan(25).content;
    const parts = [200, 2000].map((files) => {
      const { content, entries } = aPlan(files);
      return planReviewPart(content, entries, own);
    });
    expect(parts[0]).toContain('## Approach');
    expect(parts[0]).toContain('### src/module0024.ts\nExports run24()');
    expect(parts[0]).not.toContain('### src/module0040.ts');
    expect(parts[0]).toContain('## Files of this part\n- src/module0000.ts\n');
    expect(parts[0]).toContain('what it says about 25 of its 200 files');
    // No purposes and no neighbours, which the whole plan does not carry either.
    expect(parts[0]).not.toContain('Module 3 of the service');
    expect(parts[0]).not.toContain('- src/module0025.ts');
    expect(parts[0]!.length).toBeLessThan(whole.length * 1.1);
    expect(Math.abs(parts[1]!.length - parts[0]!.length)).toBeLessThan(10);
  });

  it('work on no file (the final tests) gets the head of the plan and its size', () => {
    const { content, entries } = aPlan(300);
    const excerpt = planExcerpt(content, entries, []);
    expect(excerpt).toContain('its approach. The plan names 300 files in all.');
    expect(excerpt).toContain('## Approach');
    expect(excerpt.length).toBeLessThanOrEqual(PLAN_EXCERPT.headChars + 200);
  });

  it('the plan’s review and revision, and advice, read the whole plan; coders, writers and testers an excerpt', () => {
    expect(['plan', 'review-plan', 'revise-plan', 'consult'].every((kind) => readsWholePlan({ kind: kind as never }))).toBe(true);
    expect(['structure', 'implement', 'document', 'test', 'step', 'fix'].some((kind) => readsWholePlan({ kind: kind as never }))).toBe(false);
  });

  it('a review of one part of a long plan reads that part', () => {
    expect(readsWholePlan({ kind: 'review-plan', files: ['src/a.ts'] })).toBe(false);
  });

  it('a prompt’s data-block label names ten files and counts the rest', () => {
    const files = Array.from({ length: 25 }, (_, i) => `src/f${i}.ts`);
    const prompt = renderPrompt('Review it.', [{ id: 'plan-1', type: 'plan', summary: 's', files, content: 'x' }]);
    expect(prompt).toContain('files src/f0.ts, src/f1.ts, src/f2.ts, src/f3.ts, src/f4.ts, src/f5.ts, src/f6.ts, src/f7.ts, src/f8.ts, src/f9.ts and 15 more)">');
  });
});
