// Container scripts (shell, and the Python API client) are read from next to their compiled module
// at synth time (`path.join(__dirname, 'scripts', …)`), so every src/**/scripts/*.{sh,py} is copied
// to the same place under lib/.
const fs = require('fs');
const path = require('path');

const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));

const isContainerScript = (file) => path.basename(path.dirname(file)) === 'scripts' && /\.(sh|py)$/.test(file);
for (const file of walk('src').filter(isContainerScript)) {
  const target = path.join('lib', path.relative('src', file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}
