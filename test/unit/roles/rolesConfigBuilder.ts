import { BUILTIN_ROLES } from '../../../extension/engine/roles/builtinRoles';
import type { Profile, RoleOverride, RolesConfig } from '../../../extension/engine/roles/roleSchema';

/** Builds roles configurations for tests: `aRolesConfig().withEveryRoleOnItsOwnModel().build()`. */
export function aRolesConfig(): RolesConfigBuilder {
  return new RolesConfigBuilder();
}

export class RolesConfigBuilder {
  private readonly profiles: Profile[] = [];
  private readonly roles: RoleOverride[] = [];
  private readonly assignments: Record<string, string> = {};

  withProfile(id: string, modelID = `model-${id}`, providerID = 'provider'): this {
    this.profiles.push({ id, label: `Profile ${id}`, providerID, modelID });
    return this;
  }

  assign(roleId: string, profileId: string): this {
    this.assignments[roleId] = profileId;
    return this;
  }

  withRole(override: RoleOverride): this {
    this.roles.push(override);
    return this;
  }

  /** Every built-in role gets a profile of its own on a model of its own. */
  withEveryRoleOnItsOwnModel(): this {
    for (const role of BUILTIN_ROLES) this.withProfile(`p-${role.id}`).assign(role.id, `p-${role.id}`);
    return this;
  }

  /** The four required roles share one profile; the optional ones are switched off. */
  withRequiredRolesOn(profileId: string, modelID = 'shared-model'): this {
    this.withProfile(profileId, modelID);
    for (const role of BUILTIN_ROLES) {
      if (role.required) this.assign(role.id, profileId);
      else this.withRole({ id: role.id, active: false });
    }
    return this;
  }

  build(): RolesConfig {
    return { profiles: [...this.profiles], roles: [...this.roles], assignments: { ...this.assignments } };
  }
}
