/**
 * Renders the generated part of docs/images.md from the image catalog (PlatformImage.contents).
 * test/core/images-doc.test.ts fails when the page and the catalog disagree, and rewrites the page
 * with UPDATE_IMAGES_DOC=1.
 */
import { ExecutableProvider, ImageContents, ImageExecutable, PlatformImage } from '../src';

export const BEGIN_MARKER = '<!-- BEGIN GENERATED from the image catalog by test/images-doc.ts: do not edit by hand -->';
export const END_MARKER = '<!-- END GENERATED -->';

const PROVIDER_LABELS: { [provider: string]: string } = {
  [ExecutableProvider.BUSYBOX]: 'busybox applet',
  [ExecutableProvider.TOYBOX]: 'toybox applet',
  [ExecutableProvider.GNU_COREUTILS]: 'GNU coreutils',
  [ExecutableProvider.BASH]: 'bash',
  [ExecutableProvider.PYTHON3]: 'python3',
  [ExecutableProvider.OS_PACKAGE]: 'OS package',
  [ExecutableProvider.IMAGE]: "the image's own",
};

/** `owner/repo@ref:path#Lx-Ly` as a link to the file on GitHub. */
function source(citation: string): string {
  const m = /^([^/@]+\/[^/@]+)@([^:]+):([^#]+)(#.*)?$/.exec(citation);
  if (!m) throw new Error(`images-doc: not an owner/repo@ref:path citation: ${citation}`);
  return `[${citation}](https://github.com/${m[1]}/blob/${m[2]}/${m[3]}${m[4] ?? ''})`;
}

const sources = (list: string[]): string => list.map(source).join(', ');
const code = (words: string[]): string => (words.length === 0 ? 'none' : `\`${JSON.stringify(words)}\``);
const cell = (text: string): string => text.replace(/\|/g, '\\|');

function user(c: ImageContents): string {
  const u = c.user;
  if (u.uid === undefined) return u.name ? `${u.name} (no fixed uid)` : 'not set (the base image\'s)';
  return `${u.uid}${u.gid !== undefined ? `:${u.gid}` : ''}${u.name ? ` (${u.name})` : ''}`;
}

function shellOf(image: PlatformImage): string {
  const sh = image.executable('/bin/sh');
  return sh ? PROVIDER_LABELS[sh.provider] === 'bash' ? 'bash' : 'busybox ash' : 'none';
}

function executableRow(e: ImageExecutable): string {
  return `| \`${e.path}\` | ${PROVIDER_LABELS[e.provider]} | ${cell(e.note ?? '')} | ${sources(e.sources)} |`;
}

/** The generated Markdown, between and including the markers. */
export function renderImagesDoc(): string {
  const out: string[] = [BEGIN_MARKER, '', '## Summary', ''];
  out.push('| Key | Image | Base | Default user | Entrypoint / CMD | Shell | Executables the platform calls |');
  out.push('|-----|-------|------|--------------|------------------|-------|--------------------------------|');
  for (const image of PlatformImage.all()) {
    const c = image.contents;
    const start = c.entrypoint.length > 0 ? `ENTRYPOINT ${code(c.entrypoint)}` : c.cmd.length > 0 ? `CMD ${code(c.cmd)}` : 'none';
    // Tools by the name scripts call them; the image's own programs by path.
    const names = c.executables.map((e) => (e.provider === ExecutableProvider.IMAGE ? `\`${e.path}\`` : e.path.slice(e.path.lastIndexOf('/') + 1)));
    out.push(`| \`${image.key}\` | \`${image.reference}\` | \`${c.base}\` | ${user(c)} | ${cell(start)} | ${shellOf(image)} | ${names.join(', ')} |`);
  }
  for (const image of PlatformImage.all()) {
    const c = image.contents;
    out.push('', `## \`${image.key}\`: \`${image.reference}\``, '');
    out.push(`- Base: \`${c.base}\` (${sources(c.baseSources)})`);
    out.push(`- Default user: ${user(c)} (${sources(c.user.sources)})`);
    out.push(`- ENTRYPOINT ${code(c.entrypoint)}, CMD ${code(c.cmd)}, WORKDIR \`${c.workingDir ?? '/'}\` (${sources(c.startSources)})`);
    if (c.notes) out.push(`- ${c.notes}`);
    out.push('', '| Executable | Provided by | Note | Sources |', '|------------|-------------|------|---------|');
    for (const e of c.executables) out.push(executableRow(e));
  }
  out.push('', END_MARKER);
  return out.join('\n');
}

/** `page` with its generated part replaced by the current rendering. */
export function withGeneratedPart(page: string): string {
  const begin = page.indexOf(BEGIN_MARKER);
  const end = page.indexOf(END_MARKER);
  if (begin < 0 || end < begin) throw new Error('images-doc: docs/images.md lacks the generated-part markers');
  return `${page.slice(0, begin)}${renderImagesDoc()}${page.slice(end + END_MARKER.length)}`;
}
