import fs from 'node:fs/promises';
import path from 'node:path';
import type { RolesController } from '../dashboard/dashboardDeps';
import { builtinRole } from '../engine/roles/builtinRoles';
import type { Profile, RoleOverride, RolesConfig } from '../engine/roles/roleSchema';
import type { Disposable } from '../engine/util/disposable';
import { OrchestraError, describeError } from '../engine/util/errors';
import { endpointKeyName, type Endpoint } from '../protocol/endpointView';
import { addEndpoint } from './customEndpoint';
import { TypedEmitter } from '../engine/util/typedEvents';
import type { RolesConfigView, RolesView } from '../protocol/rolesView';
import { MAX_AGENT_FILE_BYTES, parseAgentFile, roleToAgentFile, type ParsedAgentFile } from './kiloAgentFiles';
import type { Discovery } from './modelDiscovery';
import type { OrchestrationConfigManager } from './orchestrationConfigManager';
import { TEMPLATES, profileIdFor, type TemplateId } from './roleTemplates';

/** The dialogs the roles tab needs; `rolesDialogs.ts` adapts VS Code's, tests pass a fake. */
export interface RolesDialogs {
  pickFolder(title: string): Promise<string | undefined>;
  pickFiles(title: string): Promise<string[] | undefined>;
  showInfo(message: string): void;
}

export interface ModelSource {
  cached(): Discovery | undefined;
  models(): Promise<Discovery>;
  refresh(): Promise<Discovery>;
}

export interface RolesTabOptions {
  config: OrchestrationConfigManager;
  discovery: ModelSource;
  dialogs: RolesDialogs;
  /** True while an orchestrated task runs: saved changes then reach agents at the next start. */
  isRunLive?: () => boolean;
  /** Where a custom endpoint's key goes (VS Code's SecretStorage); the roles file only names it. */
  secrets?: { store(name: string, value: string): Thenable<void> | Promise<void> };
  log?: (line: string) => void;
}

const DESCRIPTION_MAX = 400;

/**
 * The roles tab's host side: the view (config, models, issues, templates, cost preview), saving,
 * templates, refreshing models and import/export as Kilo agent files. Model discovery never
 * blocks the view: the first `view()` starts it and a change is announced when it is done.
 */
export class RolesTab implements RolesController {
  private readonly emitter = new TypedEmitter<{ changed: () => void }>();
  private readonly configSubscription: Disposable;

  constructor(private readonly options: RolesTabOptions) {
    this.configSubscription = options.config.onDidChange(() => this.emitter.emit('changed'));
  }

  async view(): Promise<RolesView> {
    const discovery = this.options.discovery.cached();
    if (!discovery) void this.options.discovery.models().then(() => this.emitter.emit('changed'));
    const discovered = discovery?.models ?? [];
    const { config } = this.options;
    const kiloDefault = config.kiloDefaultName();
    return {
      config: config.view(),
      discovered,
      ...(discovery?.problem ? { discoveryProblem: discovery.problem } : {}),
      issues: config.issues(discovered),
      templates: TEMPLATES.map((template) => ({ ...template })),
      costPreview: config.costEstimate(discovered),
      appliesAtNextStart: this.options.isRunLive?.() ?? false,
      ...(kiloDefault ? { kiloDefault } : {}),
    };
  }

  save(view: RolesConfigView): Promise<void> {
    return this.options.config.save(view);
  }

  async applyTemplate(templateId: TemplateId): Promise<void> {
    const { models } = await this.options.discovery.models();
    await this.options.config.applyTemplate(templateId, models);
  }

  async refreshModels(): Promise<void> {
    await this.options.discovery.refresh();
    this.emitter.emit('changed');
  }

  /** A custom OpenAI-compatible endpoint: checked against the models Kilo knows, key stored first, then the profiles. */
  async addEndpoint(endpoint: Endpoint): Promise<void> {
    const discovered = this.options.discovery.cached()?.models ?? [];
    const next = addEndpoint(this.options.config.load(), endpoint, discovered);
    const key = endpoint.apiKey.trim();
    if (key !== '') {
      if (!this.options.secrets) throw new OrchestraError('invalid-config', 'This window cannot store keys; use "Kilo Orchestra: Set Provider API Key".');
      await this.options.secrets.store(endpointKeyName(endpoint.providerID), key);
    }
    await this.options.config.store(next);
    const count = new Set(endpoint.modelIDs).size;
    this.options.dialogs.showInfo(`Added ${count} model${count === 1 ? '' : 's'} of ${endpoint.providerID}${key !== '' ? ` (key stored as ${endpointKeyName(endpoint.providerID)})` : ''}: choose them in a role's Profile list.`);
  }

  /** Reads Kilo agent files the user picks into roles (and profiles for their models); bad files are skipped and named. */
  async importFromFiles(): Promise<void> {
    const files = await this.options.dialogs.pickFiles('Import roles from Kilo agent files');
    if (!files || files.length === 0) return;
    const agents: ParsedAgentFile[] = [];
    const skipped: string[] = [];
    for (const file of files) {
      const parsed = await readAgentFile(file);
      if (parsed.ok) agents.push(parsed.agent);
      else skipped.push(parsed.problem);
    }
    if (agents.length > 0) await this.options.config.store(mergeImported(this.options.config.load(), agents));
    for (const problem of skipped) this.options.log?.(`roles: import skipped ${problem}`);
    const imported = agents.length > 0 ? `Imported ${agents.length} role${agents.length > 1 ? 's' : ''} (${agents.map((a) => a.roleId).join(', ')}).` : 'No role was imported.';
    this.options.dialogs.showInfo(skipped.length > 0 ? `${imported} Skipped: ${skipped.join(' ')}` : imported);
  }

  /** Writes every active role as `<role id>.md` into a folder the user picks (e.g. `.kilo/agent`). */
  async exportToFiles(): Promise<void> {
    const folder = await this.options.dialogs.pickFolder('Export roles as Kilo agent files');
    if (!folder) return;
    const config = this.options.config.load();
    const view = this.options.config.view();
    const written: string[] = [];
    for (const role of view.roles.filter((card) => card.active)) {
      const profile = config.profiles.find((candidate) => candidate.id === config.assignments[role.id]);
      const file = roleToAgentFile(role, profile);
      await fs.writeFile(path.join(folder, file.fileName), file.content, 'utf8');
      written.push(file.fileName);
    }
    this.options.dialogs.showInfo(`Exported ${written.length} roles to ${folder}: ${written.join(', ')}.`);
  }

  onDidChange(listener: () => void): Disposable {
    return this.emitter.on('changed', listener);
  }

  dispose(): void {
    this.configSubscription.dispose();
    this.emitter.removeAllListeners();
  }
}

async function readAgentFile(file: string): Promise<ReturnType<typeof parseAgentFile>> {
  const name = path.basename(file);
  try {
    const stat = await fs.stat(file);
    if (!stat.isFile()) return { ok: false, problem: `${name}: not a file.` };
    if (stat.size > MAX_AGENT_FILE_BYTES) return { ok: false, problem: `${name}: the file is larger than ${MAX_AGENT_FILE_BYTES / 1000} kB.` };
    return parseAgentFile(name, await fs.readFile(file, 'utf8'));
  } catch (error) {
    return { ok: false, problem: `${name}: could not be read (${describeError(error)}).` };
  }
}

/**
 * Imported agents onto a configuration: a built-in role takes the file's prompt and description;
 * another name becomes (or updates) a custom role; a model becomes the role's profile, reusing a
 * profile on the same provider and model.
 */
export function mergeImported(config: RolesConfig, agents: readonly ParsedAgentFile[]): RolesConfig {
  const roles = config.roles.map((role) => ({ ...role }));
  const profiles = [...config.profiles];
  const assignments = { ...config.assignments };
  for (const agent of agents) {
    const description = agent.description ? clip(agent.description, DESCRIPTION_MAX) : undefined;
    const existing = roles.find((role) => role.id === agent.roleId);
    const change: Partial<RoleOverride> = { prompt: agent.prompt, ...(description ? { description } : {}) };
    if (existing) Object.assign(existing, change);
    else if (builtinRole(agent.roleId)) roles.push({ id: agent.roleId, ...change });
    else {
      roles.push({
        id: agent.roleId,
        name: titleCase(agent.roleId),
        description: description ?? `Imported from the Kilo agent file ${agent.roleId}.md.`,
        category: 'custom',
        prompt: agent.prompt,
        active: true,
        instances: 1,
      });
    }
    if (agent.model) assignments[agent.roleId] = profileFor(agent.model, profiles).id;
  }
  return { profiles, roles, assignments };
}

function profileFor(model: { providerID: string; modelID: string }, profiles: Profile[]): Profile {
  const found = profiles.find((profile) => profile.providerID === model.providerID && profile.modelID === model.modelID && !profile.baseURL);
  if (found) return found;
  const base = profileIdFor(model.providerID, model.modelID);
  let id = base;
  for (let n = 2; profiles.some((profile) => profile.id === id); n++) id = `${base.slice(0, 60)}-${n}`;
  const profile: Profile = { id, label: `${model.providerID}/${model.modelID}`.slice(0, 80), providerID: model.providerID, modelID: model.modelID };
  profiles.push(profile);
  return profile;
}

function titleCase(roleId: string): string {
  return roleId
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
    .slice(0, 60);
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

