import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * An nginx TLS sidecar as users set it up (one worker, TLS 1.2/1.3, upstream keep-alive, the usual
 * forwarded headers), with every file in `dir`: config, pid, logs, temp paths. Loopback only.
 */
export function writeNginxConfig(
  dir: string,
  port: number,
  upstreamPort: number,
  cert: string,
  key: string,
): string {
  for (const sub of ['body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'])
    mkdirSync(join(dir, sub), { recursive: true });
  const file = join(dir, 'nginx.conf');
  writeFileSync(
    file,
    `user root;
worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx.pid')};
error_log ${join(dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(dir, 'body')};
  proxy_temp_path ${join(dir, 'proxy')};
  fastcgi_temp_path ${join(dir, 'fastcgi')};
  uwsgi_temp_path ${join(dir, 'uwsgi')};
  scgi_temp_path ${join(dir, 'scgi')};
  upstream app {
    server 127.0.0.1:${upstreamPort};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    keepalive_requests 1000000;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto https;
    }
  }
}
`,
  );
  return file;
}

/**
 * nginx's `stream` module as a TLS terminator (Debian's libnginx-mod-stream): TLS ended, bytes passed
 * on to the app, one worker; the TCP anchor beside hitch.
 */
export function writeNginxStreamConfig(
  dir: string,
  port: number,
  upstreamPort: number,
  cert: string,
  key: string,
): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'nginx-stream.conf');
  writeFileSync(
    file,
    `load_module /usr/lib/nginx/modules/ngx_stream_module.so;
user root;
worker_processes 1;
daemon off;
master_process on;
pid ${join(dir, 'nginx-stream.pid')};
error_log ${join(dir, 'error-stream.log')} warn;
events { worker_connections 4096; }
stream {
  server {
    listen 127.0.0.1:${port} ssl;
    ssl_certificate ${cert};
    ssl_certificate_key ${key};
    ssl_protocols TLSv1.2 TLSv1.3;
    proxy_pass 127.0.0.1:${upstreamPort};
  }
}
`,
  );
  return file;
}
