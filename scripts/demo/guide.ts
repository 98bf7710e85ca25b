import type { DemoPorts } from './ports.ts';
import { type DemoWorkspace, demoSyncToken } from './workspace.ts';

/** What to open and what to try, printed once the demo is up. */
export function demoGuide(
  workspace: DemoWorkspace,
  ports: DemoPorts,
  form: string,
  stopHint: string,
): string {
  const app = `https://127.0.0.1:${ports.https}`;
  const admin = (port: number) => `http://127.0.0.1:${port}`;
  return `
The demo is running: the demo app with its five sidecars, ${form}.
Workspace: ${workspace.dir}

Open
  the app, over HTTPS       curl -k ${app}/          (tls-proxy; its own self-signed certificate, hence -k)
  its processes             ${admin(ports.topz)}/     (topz; also /topz, /api/processes, /metrics)
  what the app has          curl -k ${app}/-/status
  the sidecars' metrics     curl ${admin(ports.configSyncer)}/metrics   config-syncer
                            curl ${admin(ports.repoUpdater)}/metrics   repo-updater
                            curl ${admin(ports.logForwarder)}/metrics   log-forwarder (and /files)
                            curl ${admin(ports.tlsProxy)}/metrics   tls-proxy

Try
  change the config         edit ${workspace.configSource}/app.json ("message")
                            → config-syncer publishes it and POSTs /-/reload: curl -k ${app}/
                            (a file that is not JSON is not published: the app keeps the last good one)
  push a commit             cd ${workspace.site} && sed -i 's/Version [0-9]*/Version 2/' index.html \\
                              && git commit -qam v2 && git push -q
                            → published within 10 s, or now: curl -X POST -H 'Authorization: Bearer ${demoSyncToken}' ${admin(ports.repoUpdater)}/sync
                            → curl -k ${app}/content/
  ship the access log       curl -k -H 'X-Request-Id: mine' ${app}/hello
                            → curl -k '${app}/-/logs?limit=5'   (log-forwarder shipped the line back to the app)
  all of it, checked        pnpm demo --tour   (starts the demo and walks these steps)

${stopHint}`;
}
