import { describe, expect, it } from 'vitest';
import { FileGlobSchema, matchesGlob } from '../../../extension/protocol/workflowDefinition';

describe('matchesGlob: which plan files a reviewer or step looks at', () => {
  it('matches * within one folder name, ** across folders, ? one character and {a,b} alternatives', () => {
    expect(matchesGlob('src/app.ts', 'src/*.ts')).toBe(true);
    expect(matchesGlob('src/api/app.ts', 'src/*.ts')).toBe(false);
    expect(matchesGlob('src/api/app.ts', 'src/**')).toBe(true);
    expect(matchesGlob('src/app.ts', 'src/**/*.ts')).toBe(true);
    expect(matchesGlob('src/a/b/app.ts', 'src/**/*.ts')).toBe(true);
    expect(matchesGlob('lib/app.ts', 'src/**')).toBe(false);
    expect(matchesGlob('src/v1.ts', 'src/v?.ts')).toBe(true);
    expect(matchesGlob('src/v10.ts', 'src/v?.ts')).toBe(false);
    expect(matchesGlob('src/db/x.ts', 'src/{api,db}/**')).toBe(true);
    expect(matchesGlob('src/ui/x.ts', 'src/{api,db}/**')).toBe(false);
  });

  it('matches a pattern without a folder against the file name in any folder, as .gitignore does', () => {
    expect(matchesGlob('db/migrations/001.sql', '*.sql')).toBe(true);
    expect(matchesGlob('schema.sql', '*.sql')).toBe(true);
    expect(matchesGlob('db/schema.sql.bak', '*.sql')).toBe(false);
  });

  it('takes regular-expression characters in a pattern literally', () => {
    expect(matchesGlob('src/a+b.ts', 'src/a+b.ts')).toBe(true);
    expect(matchesGlob('src/aab.ts', 'src/a+b.ts')).toBe(false);
    expect(matchesGlob('src/(x).ts', 'src/(x).ts')).toBe(true);
  });

  it('refuses patterns that reach outside the workspace', () => {
    for (const glob of ['../secrets/**', '/etc/*', 'C:/x/*', 'src\\*.ts', 'src/../../x']) expect(FileGlobSchema.safeParse(glob).success, glob).toBe(false);
    expect(FileGlobSchema.safeParse('src/**').success).toBe(true);
  });
});
