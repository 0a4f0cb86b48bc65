// @vitest-environment jsdom
import { fireEvent, render, screen, within } from '@testing-library/svelte';
import { describe, expect, it, vi } from 'vitest';
import FileBoard from '../../webview/components/FileBoard.svelte';
import { aFile } from './fixtures/dashboardBuilders';

const files = [
  aFile({ path: 'src/a.ts', stage: 'pending' }),
  aFile({ path: 'src/b.ts', stage: 'reviewing', coder: 2 }),
  aFile({ path: 'src/c.ts', stage: 'reviewing', fixes: 2 }),
  aFile({ path: 'src/d.ts', stage: 'approved' }),
];

describe('FileBoard', () => {
  it('puts each file in the column of its stage, with counts', () => {
    render(FileBoard, { files, request: vi.fn() });
    const reviewing = screen.getByTestId('file-stage-reviewing');
    expect(within(reviewing).getByRole('heading').textContent).toMatch(/Reviewing\s*2/);
    expect(within(reviewing).getByText('src/b.ts')).toBeTruthy();
    expect(within(reviewing).getByText('src/c.ts')).toBeTruthy();
    expect(within(screen.getByTestId('file-stage-fixing')).getByRole('heading').textContent).toMatch(/Fixing\s*0/);
    expect(within(screen.getByTestId('file-stage-approved')).getByText('src/d.ts')).toBeTruthy();
    expect(screen.getByTestId('file-board').querySelector('h2')?.textContent).toMatch(/Files\s*4/);
  });

  it('shows the owning coder and the number of fixes', () => {
    render(FileBoard, { files, request: vi.fn() });
    const reviewing = screen.getByTestId('file-stage-reviewing');
    expect(reviewing.textContent).toContain('Coder 2');
    expect(reviewing.textContent).toContain('2 fixes');
  });

  it('asks the host to open a clicked file, and shows why when it cannot', async () => {
    const request = vi.fn().mockResolvedValue({ ok: false, error: 'The file does not exist yet.' });
    render(FileBoard, { files, request });
    await fireEvent.click(screen.getByText('src/a.ts'));
    expect(request).toHaveBeenCalledWith({ type: 'file/open', path: 'src/a.ts' });
    expect((await screen.findByRole('alert')).textContent).toBe('The file does not exist yet.');
  });

  it('says so when no files are planned', () => {
    render(FileBoard, { files: [], request: vi.fn() });
    expect(screen.getByText('No files planned yet.')).toBeTruthy();
  });

  it('shows the diagnostics gate per file: checking, the errors of the last check, or clean', () => {
    render(FileBoard, {
      files: [
        aFile({ path: 'src/a.ts', stage: 'checking', diagnostics: 2 }),
        aFile({ path: 'src/b.ts', stage: 'fixing', diagnostics: 3 }),
        aFile({ path: 'src/c.ts', stage: 'reviewing', diagnostics: 0 }),
        aFile({ path: 'src/d.ts', stage: 'fixing', diagnostics: 1 }),
        aFile({ path: 'src/e.ts', stage: 'implementing' }),
      ],
      request: vi.fn(),
    });
    const gate = (path: string) => within(screen.getByTestId(`file-${path}`)).queryByTestId('file-gate')?.textContent;
    expect(within(screen.getByTestId('file-stage-checking')).getByText('src/a.ts')).toBeTruthy();
    expect(gate('src/a.ts')).toBe('checking…');
    expect(gate('src/b.ts')).toBe('3 errors');
    expect(gate('src/c.ts')).toBe('clean');
    expect(gate('src/d.ts')).toBe('1 error');
    expect(gate('src/e.ts')).toBeUndefined();
  });

  it('has no Checking column while no file has been checked', () => {
    render(FileBoard, { files, request: vi.fn() });
    expect(screen.queryByTestId('file-stage-checking')).toBeNull();
  });

  it('names the reviewer of a file in review when it is not the Code Sceptic', () => {
    render(FileBoard, {
      files: [aFile({ path: 'src/a.ts', stage: 'reviewing', reviewer: 'security-auditor' }), aFile({ path: 'src/b.ts', stage: 'reviewing', reviewer: 'code-sceptic' })],
      request: vi.fn(),
    });
    expect(within(screen.getByTestId('file-src/a.ts')).getByTestId('file-reviewer').textContent).toContain('review by Security Auditor');
    expect(within(screen.getByTestId('file-src/b.ts')).queryByTestId('file-reviewer')).toBeNull();
  });
});
