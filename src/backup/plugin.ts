import { createHash } from 'crypto';

/**
 * The init-container name Velero gives a plugin image (pkg/builder/container_builder.go `getName`
 * @ v1.18.1): the reference without tag or digest, without the registry host when the reference
 * has two or more '/', with '/', '_' and '.' turned into '-'. So
 * `velero/velero-plugin-for-aws:v1.14.2` and `docker.io/velero/velero-plugin-for-aws:v1.14.2`
 * both give `velero-velero-plugin-for-aws`. `velero plugin add/remove` find plugins by this name.
 */
export function pluginInitContainerName(image: string): string {
  const slash = image.indexOf('/');
  const slashes = slash >= 0 ? image.slice(slash).split('/').length - 1 : 0;
  const start = slashes > 1 || slash === 0 ? slash + 1 : 0;
  const at = image.lastIndexOf('@');
  const colon = image.lastIndexOf(':');
  const end = at > 0 ? at : colon > 0 ? colon : image.length;
  const name = image.slice(start, end).replace(/[/_.]/g, '-');
  // label.GetValidName: names over 63 characters keep 57 and end in 6 hex digits of their sha256.
  return name.length <= 63 ? name : name.slice(0, 57) + createHash('sha256').update(name).digest('hex').slice(0, 6);
}
