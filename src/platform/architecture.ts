import type { ModelPlatform } from './model-platform';
import { PlatformComponentSummary, countKinds, imagesOf, summarizeCharts } from './summary';

/**
 * Markdown describing the platform, generated from the construct tree: a Mermaid flowchart with one
 * subgraph per chart (in apply order) and one box per component construct (its class, id and
 * object counts), the platform's links as labelled edges, and a table of charts, objects and images.
 */
export function renderArchitectureMarkdown(platform: ModelPlatform): string {
  const charts = platform.chartsInApplyOrder();
  const summaries = summarizeCharts(charts);
  const nodeId = (summary: PlatformComponentSummary) => `n${summaries.indexOf(summary)}`;
  const lines = ['flowchart TB'];
  charts.forEach((chart, c) => {
    lines.push(`  subgraph chart${c}["${c}: ${chart.node.id}"]`);
    for (const summary of summaries.filter((s) => s.chart === chart.node.id)) {
      lines.push(`    ${nodeId(summary)}["${summary.title}<br/>${summary.kinds}"]`);
    }
    lines.push('  end');
  });
  const external = new Map<string, string>();
  const nodeFor = (path: string): string => {
    const owner = summaries.find((s) => path === s.path || path.startsWith(`${s.path}/`));
    if (owner) return nodeId(owner);
    let id = external.get(path);
    if (!id) {
      id = `x${external.size}`;
      external.set(path, id);
      lines.push(`  ${id}(["${path}"])`);
    }
    return id;
  };
  for (const link of platform.links) {
    lines.push(`  ${nodeFor(link.consumer)} -->|"${escape(link.description)}"| ${nodeFor(link.provider)}`);
  }

  const table = ['| # | Chart | Objects | Images |', '|---|---|---|---|'];
  charts.forEach((chart, c) => {
    const manifests = chart.toJson();
    table.push(`| ${c} | ${chart.node.id} | ${manifests.length}: ${countKinds(manifests)} | ${imagesOf(manifests).join('<br/>') || '-'} |`);
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

/** Mermaid edge labels are quoted: no double quotes inside. */
function escape(text: string): string {
  return text.replace(/"/g, '#quot;');
}
