// `npm run synth`: writes the example platform to dist/ (one file per chart, in apply order), a short
// summary per component to stdout and dist/architecture.md (generated from the construct tree).
import * as fs from 'fs';
import * as path from 'path';
import { App } from 'cdk8s';
import { buildExamplePlatform } from './platform';

// `cdk8s synth` (examples/cdk8s.yaml) passes its output folder in CDK8S_OUTDIR; `npm run synth` writes to dist/.
const outdir = process.env.CDK8S_OUTDIR ? path.resolve(process.env.CDK8S_OUTDIR) : path.resolve(__dirname, '..', 'dist');
// Remove manifests of an earlier synth so dist/ holds exactly this run's files.
if (fs.existsSync(outdir)) {
  for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml'))) fs.rmSync(path.join(outdir, file));
}

const app = new App({ outdir });
const platform = buildExamplePlatform(app);
app.synth();
fs.writeFileSync(path.join(outdir, 'architecture.md'), platform.architectureMarkdown());

const files = fs.readdirSync(outdir).filter((f) => f.endsWith('.k8s.yaml')).sort();
for (const [index, chart] of platform.chartsInApplyOrder().entries()) {
  const components = platform.summarize().filter((s) => s.chart === chart.node.id);
  console.log(`${files[index]}: ${components.reduce((n, s) => n + s.objectCount, 0)} objects`);
  for (const component of components) {
    console.log(`  ${component.title}: ${component.objectCount} objects (${component.kinds})`);
    for (const image of component.images) console.log(`    image   ${image}`);
    for (const claim of component.storage) console.log(`    storage ${claim}`);
  }
}
console.log(`wrote ${files.length} manifest files and architecture.md to ${path.relative(process.cwd(), outdir) || '.'}`);
