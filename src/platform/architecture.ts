import { ApiObject, Chart } from 'cdk8s';
import { IConstruct } from 'constructs';
import type { ModelPlatform } from './model-platform';

/** A box of the diagram: a component construct of a chart, or the chart's loose objects. */
interface DiagramNode {
  readonly id: string;
  readonly path: string;
  readonly title: string;
  readonly objects: ApiObject[];
}

/**
 * Markdown describing the platform, generated from the construct tree: a Mermaid flowchart with one
 * subgraph per chart (in apply order) and one box per component construct (its class, id and
 * object counts), the platform's links as labelled edges, and a table of charts, objects and images.
 */
export function renderArchitectureMarkdown(platform: ModelPlatform): string {
  const nodes: DiagramNode[] = [];
  const lines = ['flowchart TB'];
  platform.chartsInApplyOrder().forEach((chart, c) => {
    lines.push(`  subgraph chart${c}["${c}: ${chart.node.id}"]`);
    const loose: ApiObject[] = [];
    for (const child of chart.node.children) {
      const objects = objectsOf(child, chart);
      if (objects.length === 0) continue;
      if (child instanceof ApiObject) {
        loose.push(child);
        continue;
      }
      const node = { id: `n${nodes.length}`, path: child.node.path, title: `${child.constructor.name} ${child.node.id}`, objects };
      nodes.push(node);
      lines.push(`    ${node.id}["${node.title}<br/>${countKinds(objects)}"]`);
    }
    if (loose.length > 0) {
      const node = { id: `n${nodes.length}`, path: chart.node.path, title: loose.map((o) => `${o.kind} ${o.name}`).join('<br/>'), objects: loose };
      nodes.push(node);
      lines.push(`    ${node.id}["${node.title}"]`);
    }
    lines.push('  end');
  });
  const external = new Map<string, string>();
  const nodeFor = (path: string): string => {
    const owner = nodes.find((n) => path === n.path || path.startsWith(`${n.path}/`));
    if (owner) return owner.id;
    let id = external.get(path);
    if (!id) {
      id = `x${external.size}`;
      external.set(path, id);
      lines.push(`  ${id}(["${path}"])`);
    }
    return id;
  };
  for (const link of platform.links) {
    lines.push(`  ${nodeFor(link.from)} -->|"${escape(link.description)}"| ${nodeFor(link.to)}`);
  }

  const table = ['| # | Chart | Objects | Images |', '|---|---|---|---|'];
  platform.chartsInApplyOrder().forEach((chart, c) => {
    const objects = objectsOf(chart, chart);
    table.push(`| ${c} | ${chart.node.id} | ${objects.length}: ${countKinds(objects)} | ${imagesOf(objects).join('<br/>') || '-'} |`);
  });

  return [
    '# Architecture',
    '',
    `Generated from the construct tree of \`${platform.node.path}\` by \`ModelPlatform.architectureMarkdown()\`.`,
    'Each box is a component construct with its objects; arrows are the wires the platform made.',
    'Charts are numbered in apply order (the order of the files `cdk8s synth` writes).',
    '',
    '```mermaid',
    ...lines,
    '```',
    '',
    table.join('\n'),
    '',
  ].join('\n');
}

/** ApiObjects at or below `scope` that belong to `chart` (not to a nested chart). */
function objectsOf(scope: IConstruct, chart: Chart): ApiObject[] {
  return scope.node.findAll().filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart);
}

function countKinds(objects: ApiObject[]): string {
  const kinds = new Map<string, number>();
  for (const o of objects) kinds.set(o.kind, (kinds.get(o.kind) ?? 0) + 1);
  return [...kinds].map(([kind, n]) => `${n} ${kind}`).join(', ');
}

function imagesOf(objects: ApiObject[]): string[] {
  const images = new Set<string>();
  for (const object of objects) {
    const json = object.toJson();
    const pod = json.spec?.template?.spec ?? json.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])]) images.add(c.image);
  }
  return [...images].sort();
}

/** Mermaid edge labels are quoted: no double quotes inside. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;');
}
