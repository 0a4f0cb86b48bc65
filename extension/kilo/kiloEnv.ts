/** Keeps Kilo from updating itself, sending telemetry or sharing sessions. */
export const KILO_QUIET_ENV: Readonly<Record<string, string>> = {
  KILO_DISABLE_AUTOUPDATE: '1',
  KILO_TELEMETRY_LEVEL: 'off',
  KILO_DISABLE_SHARE: '1',
  KILO_DISABLE_SESSION_INGEST: '1',
  KILO_NO_DAEMON: '1',
};

/** Also keeps it from fetching the model catalogue, LSP servers and default plugins (tests, demo). */
export const KILO_OFFLINE_ENV: Readonly<Record<string, string>> = {
  KILO_DISABLE_MODELS_FETCH: '1',
  KILO_DISABLE_LSP_DOWNLOAD: '1',
  KILO_DISABLE_DEFAULT_PLUGINS: '1',
};
