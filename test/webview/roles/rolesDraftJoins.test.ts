import { describe, expect, it } from 'vitest';
import { RolesConfigViewSchema } from '../../../extension/protocol/rolesView';
import { joinAfterOptions, joinFromFields } from '../../../webview/roles/roleJoins';
import { addCustomRole, emptyCustomRoleForm, formFromRole, removeCustomRole, updateCustomRole, type CustomRoleForm } from '../../../webview/roles/rolesDraft';
import { aRolesView } from './rolesViewBuilder';

const auditorForm = (fields: Partial<CustomRoleForm> = {}): CustomRoleForm => ({
  ...emptyCustomRoleForm(),
  id: 'security-auditor',
  name: 'Security Auditor',
  description: 'Looks for security problems.',
  prompt: 'You audit code.',
  ...fields,
});

/** The Security Auditor after the Code Sceptic, and a Performance Reviewer after the auditor. */
const chained = () =>
  aRolesView()
    .withCustomRole({ id: 'security-auditor', joins: { step: 'CODE_REVIEW', after: 'code-sceptic' } })
    .withCustomRole({ id: 'perf-reviewer', name: 'Performance Reviewer', joins: { step: 'CODE_REVIEW', after: 'security-auditor', files: 'src/**' } })
    .build().config;

describe('a custom role’s join in the editor', () => {
  it('adds a role that joins code review after the Code Sceptic on matching files', () => {
    const config = aRolesView().build().config;
    const result = addCustomRole(config, auditorForm({ joinStep: 'CODE_REVIEW', joinAfter: 'code-sceptic', joinFiles: ' src/** ', joinWrites: 'ignored.md' }));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config.roles.at(-1)?.joins).toEqual({ step: 'CODE_REVIEW', after: 'code-sceptic', files: 'src/**' });
    expect(RolesConfigViewSchema.safeParse(result.config).success).toBe(true);
  });

  it('keeps the files a documentation step writes, and no join at all when no step is chosen', () => {
    const config = aRolesView().build().config;
    const changelog = addCustomRole(config, auditorForm({ id: 'changelog-writer', joinStep: 'DOCUMENTATION', joinAfter: 'documentation-writer', joinWrites: 'CHANGELOG.md, docs/RELEASE.md\nCHANGELOG.md' }));
    expect(changelog.ok && changelog.config.roles.at(-1)?.joins).toEqual({ step: 'DOCUMENTATION', after: 'documentation-writer', writes: ['CHANGELOG.md', 'docs/RELEASE.md'] });
    const consulted = addCustomRole(config, auditorForm({ joinFiles: 'src/**' }));
    expect(consulted.ok && consulted.config.roles.at(-1)).not.toHaveProperty('joins');
  });

  it('shows the schema’s reasons under the join fields and saves nothing', () => {
    const config = aRolesView().build().config;
    const result = addCustomRole(config, auditorForm({ joinStep: 'TESTING', joinFiles: '../outside/**', joinWrites: 'docs/*.md' }));
    expect(result).toEqual({
      ok: false,
      errors: { joinFiles: 'A file pattern is relative to the workspace, with / between folders and no "..".', joinWrites: 'A written file is named exactly, without wildcards.' },
    });
  });

  it('refuses to come after a role that is not in the step, or one that already follows it', () => {
    const config = chained();
    const notInStep = addCustomRole(config, auditorForm({ id: 'third', joinStep: 'CODE_REVIEW', joinAfter: 'debugger' }));
    expect(notInStep.ok ? undefined : notInStep.errors.joinAfter).toMatch(/^"debugger" does not take part in code review/);
    const circle = updateCustomRole(config, 'security-auditor', { ...formFromRole(config.roles.find((role) => role.id === 'security-auditor')!), joinAfter: 'perf-reviewer' });
    expect(circle.ok ? undefined : circle.errors.joinAfter).toMatch(/^"perf-reviewer" does not take part/);
  });

  it('offers as `after` the step’s own role and the roles joining it, but none that follows the role', () => {
    const config = chained();
    expect(joinAfterOptions(config, 'CODE_REVIEW', 'security-auditor')).toEqual([{ value: 'code-sceptic', label: 'Code Sceptic' }]);
    expect(joinAfterOptions(config, 'CODE_REVIEW', 'new-role').map((option) => option.value)).toEqual(['code-sceptic', 'security-auditor', 'perf-reviewer']);
  });

  it('reads a stored join back into the form, the step’s own role standing in for a missing `after`', () => {
    const role = aRolesView().withCustomRole({ id: 'release-checker', joins: { step: 'TESTING', writes: ['RELEASE.md'] } }).build().config.roles.at(-1)!;
    expect(formFromRole(role)).toMatchObject({ joinStep: 'TESTING', joinAfter: 'debugger', joinFiles: '', joinWrites: 'RELEASE.md' });
    expect(joinFromFields('', 'x', 'y', ['z'])).toBeUndefined();
  });
});

describe('the chain of `after`s stays whole', () => {
  it('moves the followers of a renamed role to its new id', () => {
    const config = chained();
    const auditor = config.roles.find((role) => role.id === 'security-auditor')!;
    const result = updateCustomRole(config, 'security-auditor', { ...formFromRole(auditor), id: 'sec-auditor' });
    expect(result.ok && result.config.roles.find((role) => role.id === 'perf-reviewer')?.joins).toEqual({ step: 'CODE_REVIEW', after: 'sec-auditor', files: 'src/**' });
  });

  it('lets the followers of a role that leaves the step, or is removed, follow the role it came after', () => {
    const config = chained();
    const auditor = config.roles.find((role) => role.id === 'security-auditor')!;
    const moved = updateCustomRole(config, 'security-auditor', { ...formFromRole(auditor), joinStep: 'TESTING', joinAfter: 'debugger' });
    expect(moved.ok && moved.config.roles.find((role) => role.id === 'perf-reviewer')?.joins?.after).toBe('code-sceptic');
    const removed = removeCustomRole(config, 'security-auditor');
    expect(removed.ok && removed.config.roles.find((role) => role.id === 'perf-reviewer')?.joins?.after).toBe('code-sceptic');
    expect(config.roles.find((role) => role.id === 'perf-reviewer')?.joins?.after).toBe('security-auditor');
  });
});
