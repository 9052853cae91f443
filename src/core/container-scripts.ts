import * as fs from 'fs';
import * as path from 'path';

/**
 * Text of a shell script that runs in a container, read at synth from `<moduleDir>/scripts/<file>`.
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
  try {
    return fs.readFileSync(full, 'utf8');
  } catch (e) {
    throw new Error(`${owner}: cannot read its script ${full} (${(e as Error).message}). The package must ship the ` +
      `.sh files next to the compiled code (${path.join(path.basename(moduleDir), 'scripts')}); build-tools/copy-shell-scripts.js copies them.`);
  }
}
