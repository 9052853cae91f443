import * as fs from 'fs';
import * as path from 'path';

/** Scripts read so far: they are files of the installed package, fixed while the process runs. */
const SCRIPTS = new Map<string, string>();

/**
 * Text of a script that runs in a container (shell, or the Python API client), read from `<moduleDir>/scripts/<file>` once per process.
 *
 * Scripts are real files so tests can run them. Compiled code runs from lib/<component>, so the
 * build copies every src/**\/scripts/*.{sh,py} next to it (build-tools/copy-container-scripts.js).
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
    throw new Error(`${owner}: cannot read its script ${full} (${(e as Error).message}). The package ships its container ` +
      `scripts next to the compiled code (${path.join(path.basename(moduleDir), 'scripts')}): reinstall cnai-model-platform, or run its build, which copies them.`);
  }
}

/** ConfigMap key and file name of the Kubernetes API client, mounted next to the script that calls it. */
export const KUBE_API_CLIENT_KEY = 'kube-api.py';

/**
 * Text of kube-api.py, the Python (standard library only) Kubernetes API client that Job scripts
 * call instead of kubectl: the images they run in have python3 but no kubectl (docs/images.md).
 *
 * @param owner construct that needs it, for the error message
 */
export function kubeApiClientScript(owner: string): string {
  return readContainerScript(__dirname, KUBE_API_CLIENT_KEY, owner);
}
