import { HarborContext, PORTS, SERVICE_PORTS, componentName } from '../context';

/** Where both nginx images read their config. */
export const NGINX_CONF_PATH = '/etc/nginx/nginx.conf';

/** Temp paths under /tmp (an emptyDir), so nginx never writes to the image filesystem. */
const TEMP_PATHS = [
  'client_body_temp_path /tmp/client_body_temp;',
  'proxy_temp_path /tmp/proxy_temp;',
  'fastcgi_temp_path /tmp/fastcgi_temp;',
  'uwsgi_temp_path /tmp/uwsgi_temp;',
  'scgi_temp_path /tmp/scgi_temp;',
];

/** Listen lines for IPv4 and IPv6 (the chart's `ipFamily` default enables both). */
function listen(port: number): string[] {
  return [`listen ${port};`, `listen [::]:${port};`];
}

/** Indents every non-empty line by `n` spaces. */
function indent(lines: string[], n: number): string[] {
  return lines.map((l) => (l.length > 0 ? `${' '.repeat(n)}${l}` : l));
}

/**
 * `nginx.conf` of the portal (harbor-helm templates/portal/configmap.yaml, internal TLS off): the
 * Angular UI from /usr/share/nginx/html on 8080, swagger under /devcenter-api-2.0.
 */
export function renderPortalNginxConf(): string {
  return [
    'worker_processes auto;',
    'pid /tmp/nginx.pid;',
    'events {',
    '    worker_connections  1024;',
    '}',
    'http {',
    ...indent(TEMP_PATHS, 4),
    '    server {',
    ...indent(listen(PORTS.http), 8),
    '        server_name  localhost;',
    '        root   /usr/share/nginx/html;',
    '        index  index.html index.htm;',
    '        include /etc/nginx/mime.types;',
    '        gzip on;',
    '        gzip_min_length 1000;',
    '        gzip_proxied expired no-cache no-store private auth;',
    '        gzip_types text/plain text/css application/json application/javascript application/x-javascript text/xml application/xml application/xml+rss text/javascript;',
    '        location /devcenter-api-2.0 {',
    '            try_files $uri $uri/ /swagger-ui-index.html;',
    '        }',
    '        location / {',
    '            try_files $uri $uri/ /index.html;',
    '        }',
    '        location = /index.html {',
    '            add_header Cache-Control "no-store, no-cache, must-revalidate";',
    '        }',
    '    }',
    '}',
    '',
  ].join('\n');
}

/** The proxy headers every location sets: `/v2/` keeps the client's Host:port (`$http_host`). */
function proxyLocation(path: string, upstream: string, options: { httpHost?: boolean; longTimeouts?: boolean } = {}): string[] {
  return [
    `location ${path} {`,
    `  proxy_pass http://${upstream}${path};`,
    `  proxy_set_header Host ${options.httpHost ? '$http_host' : '$host'};`,
    '  proxy_set_header X-Real-IP $remote_addr;',
    '  proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;',
    '  proxy_set_header X-Forwarded-Proto $x_forwarded_proto;',
    '  proxy_buffering off;',
    '  proxy_request_buffering off;',
    ...(options.longTimeouts ? ['  proxy_send_timeout 900;', '  proxy_read_timeout 900;'] : []),
    '}',
  ];
}

/**
 * `nginx.conf` of the entry nginx (harbor-helm templates/nginx/configmap-http.yaml): `/` to the
 * portal: `/api/`, `/c/`, `/v2/`, `/service/` to core; `/v1/` and `/service/notifications` 404.
 * Unlimited body size and no buffering, so multi-GB model layers stream through.
 */
export function renderEntryNginxConf(ctx: HarborContext): string {
  const server = [
    ...listen(PORTS.http),
    'server_tokens off;',
    '# disable any limits to avoid HTTP 413 for large image uploads',
    'client_max_body_size 0;',
    '',
    'add_header X-Frame-Options DENY;',
    'add_header Content-Security-Policy "frame-ancestors \'none\'";',
    '',
    ...proxyLocation('/', 'portal'),
    ...proxyLocation('/api/', 'core'),
    ...proxyLocation('/c/', 'core'),
    'location /v1/ {',
    '  return 404;',
    '}',
    ...proxyLocation('/v2/', 'core', { httpHost: true, longTimeouts: true }),
    ...proxyLocation('/service/', 'core'),
    'location /service/notifications {',
    '  return 404;',
    '}',
  ];
  return [
    'worker_processes auto;',
    'pid /tmp/nginx.pid;',
    '',
    'events {',
    '  worker_connections 3096;',
    '  use epoll;',
    '  multi_accept on;',
    '}',
    '',
    'http {',
    ...indent(TEMP_PATHS, 2),
    '  tcp_nodelay on;',
    '',
    '  # this is necessary for us to be able to disable request buffering in all cases',
    '  proxy_http_version 1.1;',
    '',
    '  upstream core {',
    `    server "${componentName(ctx, 'core')}:${SERVICE_PORTS.core}";`,
    '  }',
    '',
    '  upstream portal {',
    `    server ${componentName(ctx, 'portal')}:${SERVICE_PORTS.portal};`,
    '  }',
    '',
    "  log_format timed_combined '[$time_local]:$remote_addr - '",
    '    \'"$request" $status $body_bytes_sent \'',
    '    \'"$http_referer" "$http_user_agent" \'',
    "    '$request_time $upstream_response_time $pipe';",
    '',
    '  access_log /dev/stdout timed_combined;',
    '',
    '  map $http_x_forwarded_proto $x_forwarded_proto {',
    '    default $http_x_forwarded_proto;',
    '    ""      $scheme;',
    '  }',
    '',
    '  server {',
    ...indent(server, 4),
    '  }',
    '}',
    '',
  ].join('\n');
}
