import os from 'node:os';
import path from 'node:path';
import type { KiloDefaultModel } from '../engine/roles/kiloDefault';
import { readUserDefaultModel } from '../kilo/kiloUserModel';
import type { Discovery } from './modelDiscovery';

/**
 * The Kilo default model for the extension: the user's Kilo config files first (no server needed,
 * so it is known before the task is asked for), else what model discovery heard from a Kilo server.
 * `kiloHome` is the private Kilo home a test runs with (KILO_ORCHESTRA_KILO_HOME); its config is read instead.
 */
export function extensionKiloDefault(workspace: string | undefined, discovery: Discovery | undefined, kiloHome?: string): KiloDefaultModel | undefined {
  const env = kiloHome ? { HOME: kiloHome, XDG_CONFIG_HOME: path.join(kiloHome, '.config') } : process.env;
  const fromFiles = readUserDefaultModel(workspace ?? os.homedir(), env);
  const chosen = fromFiles ?? discovery?.defaultModel;
  if (!chosen) return undefined;
  const cost = discovery?.models.find((model) => model.providerID === chosen.providerID && model.modelID === chosen.modelID)?.cost;
  return { providerID: chosen.providerID, modelID: chosen.modelID, ...(cost ? { cost } : {}) };
}
