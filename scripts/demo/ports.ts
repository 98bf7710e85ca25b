// The demo's ports on 127.0.0.1, one table for the local and the compose demo. Each can be moved with
// its env var (DEMO_HTTPS_PORT=9443 pnpm demo); the sidecars share the app's network namespace in the
// compose demo, as in a pod, so each listens on a port of its own.
export const demoPortDefaults = {
  app: 3000,
  https: 8443,
  topz: 8080,
  configSyncer: 9091,
  repoUpdater: 9092,
  logForwarder: 9093,
  tlsProxy: 9094,
} as const;

export type DemoPorts = Record<keyof typeof demoPortDefaults, number>;

/** DEMO_APP_PORT, DEMO_HTTPS_PORT, DEMO_TOPZ_PORT, DEMO_CONFIG_SYNCER_PORT, … */
export const portEnvName = (key: string) =>
  `DEMO_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}_PORT`;

export function demoPorts(env: NodeJS.ProcessEnv = process.env): DemoPorts {
  const ports = { ...demoPortDefaults } as DemoPorts;
  for (const key of Object.keys(ports) as (keyof DemoPorts)[]) {
    const name = portEnvName(key);
    const value = env[name];
    if (value === undefined || value === '') continue;
    const port = Number(value);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new Error(`${name}=${value} is not a port: give a number from 1 to 65535`);
    }
    ports[key] = port;
  }
  return ports;
}
