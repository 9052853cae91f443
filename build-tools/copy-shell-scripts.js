// Containers' shell scripts are read from next to their compiled module at synth time
// (`path.join(__dirname, 'scripts', …)`), so every src/**/*.sh is copied to the same place under lib/.
const fs = require('fs');
const path = require('path');

const walk = (dir) => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((entry) => (entry.isDirectory() ? walk(path.join(dir, entry.name)) : [path.join(dir, entry.name)]));

for (const file of walk('src').filter((f) => f.endsWith('.sh'))) {
  const target = path.join('lib', path.relative('src', file));
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(file, target);
}
