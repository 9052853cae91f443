// `npm run synth`: writes the example platform to dist/ (one file per chart, in apply order), a short
// summary per component to stdout and dist/architecture.md (generated from the construct tree).
import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Chart } from 'cdk8s';
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
for (const [index, chart] of app.charts.entries()) {
  const objects = chart.toJson();
  console.log(`${files[index]}: ${objects.length} objects (${countKinds(objects)})`);
  for (const component of chart.node.children.filter((c) => !(c instanceof ApiObject))) {
    const own = component.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart).map((o) => o.toJson());
    console.log(`  ${component.constructor.name} ${component.node.id}: ${own.length} objects`);
    for (const image of imagesOf(own)) console.log(`    image   ${image}`);
    for (const claim of storageOf(own)) console.log(`    storage ${claim}`);
  }
}
console.log(`wrote ${files.length} manifest files and architecture.md to ${path.relative(process.cwd(), outdir) || '.'}`);

function countKinds(objects: any[]): string {
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  return [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
}

function imagesOf(objects: any[]): string[] {
  const images = new Set<string>();
  for (const o of objects) {
    const spec = o.spec?.template?.spec ?? o.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) images.add(c.image);
  }
  return [...images].sort();
}

/** PVCs and StatefulSet volume claim templates with their sizes. */
function storageOf(objects: any[]): string[] {
  const claims: string[] = [];
  for (const o of objects) {
    if (o.kind === 'PersistentVolumeClaim') claims.push(`PVC ${o.metadata.name} ${o.spec.resources.requests.storage}`);
    for (const t of o.spec?.volumeClaimTemplates ?? []) claims.push(`${o.metadata.name} claim template ${t.metadata.name} ${t.spec.resources.requests.storage}`);
  }
  return claims;
}
