import { PORTS } from '../context';

/** Where core reads its beego config. */
export const CORE_APP_CONF_PATH = '/etc/core/app.conf';

/** `app.conf` of core (harbor-helm templates/core/core-cm.yaml, internal TLS off). */
export function renderCoreAppConf(): string {
  return [
    'appname = Harbor',
    'runmode = prod',
    'enablegzip = true',
    '',
    '[prod]',
    `httpport = ${PORTS.http}`,
    '',
  ].join('\n');
}
