import * as fs from 'fs';
import * as path from 'path';

/** Scripts read so far: they are files of the installed package, fixed while the process runs. */
const SCRIPTS = new Map<string, string>();

/**
 * Text of a shell script that runs in a container, read from `<moduleDir>/scripts/<file>` once per process.
 *
 * Scripts are real files so tests can run them. Compiled code runs from lib/<component>, so the
 * build copies every src/**\/*.sh next to it (build-tools/copy-shell-scripts.js).
 *
 * @param moduleDir `__dirname` of the calling module
 * @param file script file name
 * @param owner construct that needs it, for the error message
 */
export function readContainerScript(moduleDir: string, file: string, owner: string): string {
  const full = path.join(moduleDir, 'scripts', file);
  const known = SCRIPTS.get(full);
  if (known !== undefined) return known;
  try {
    const text = fs.readFileSync(full, 'utf8');
    SCRIPTS.set(full, text);
    return text;
  } catch (e) {
    throw new Error(`${owner}: cannot read its script ${full} (${(e as Error).message}). The package must ship the ` +
      `.sh files next to the compiled code (${path.join(path.basename(moduleDir), 'scripts')}); build-tools/copy-shell-scripts.js copies them.`);
  }
}
