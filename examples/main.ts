// `npm run synth`: writes the example platform to dist/ (one file per chart, in apply order).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildExamplePlatform } from './platform';

const outdir = path.resolve(__dirname, '..', 'dist');
// Remove manifests of an earlier synth so dist/ holds exactly this run's files.
if (fs.existsSync(outdir)) {
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))) fs.rmSync(path.join(outdir, file));
}

const app = new App({ outdir });
buildExamplePlatform(app);
app.synth();

for (const chart of app.charts) {
  const objects = chart.toJson();
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  const images = new Set<string>();
  for (const o of objects) {
    const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) images.add(c.image);
  }
  console.log(`${chart.node.id}: ${objects.length} objects (${[...kinds].map(([k, n]) => `${n} ${k}`).join(', ')})`);
  for (const image of [...images].sort()) console.log(`  image ${image}`);
}
console.log(`wrote ${fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort().join(', ')} to ${path.relative(process.cwd(), outdir) || '.'}`);
