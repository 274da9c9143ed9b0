/**
 * A strict parser of the Prometheus text exposition format, version 0.0.4
 * (https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format): what a
 * Prometheus server would refuse, it throws on, naming the line. Tests read /metrics through it.
 */

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface MetricFamily {
  name: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  help: string | undefined;
  samples: Sample[];
}

export interface Exposition {
  families: Map<string, MetricFamily>;
  /** Every sample of every family. */
  samples: Sample[];
  /** The value of the one sample `name` with exactly these labels; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
/** Sample names a family of each type may have, as suffixes of the family name. */
const SUFFIXES: Record<MetricFamily['type'], string[]> = {
  counter: [''],
  gauge: [''],
  untyped: [''],
  histogram: ['_bucket', '_sum', '_count'],
  summary: ['', '_sum', '_count'],
};

export function parsePrometheusText(text: string): Exposition {
  if (text !== '' && !text.endsWith('\n')) throw new Error('the exposition must end with a line feed');
  const families = new Map<string, MetricFamily>();
  const seen = new Set<string>();
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line.slice(0, 200))}`);
    };
    if (line.trim() === '') return;
    if (line.startsWith('#')) {
      const match = /^#\s+(HELP|TYPE)\s+(\S+)(?:\s(.*))?$/.exec(line);
      if (!match) return; // a plain comment
      const [, keyword, name, rest = ''] = match;
      if (!METRIC_NAME.test(name!)) fail('bad metric name');
      const family = familyOf(families, name!);
      if (keyword === 'HELP') {
        if (family.help !== undefined) fail('second HELP');
        family.help = unescapeHelp(rest);
      } else {
        if (!TYPES.has(rest.trim())) fail('unknown type');
        if (family.samples.length > 0 || family.type !== 'untyped') fail('TYPE after samples or a second TYPE');
        family.type = rest.trim() as MetricFamily['type'];
      }
      return;
    }
    const sample = parseSample(line, fail);
    const family = [...families.values()].find((f) => SUFFIXES[f.type].some((suffix) => f.name + suffix === sample.name));
    if (!family) fail('sample of no declared family');
    const key = `${sample.name}${JSON.stringify(Object.entries(sample.labels).sort())}`;
    if (seen.has(key)) fail('duplicate series');
    seen.add(key);
    if (family!.type === 'histogram' && sample.name.endsWith('_bucket') && sample.labels.le === undefined) fail('bucket without le');
    family!.samples.push(sample);
  });
  const samples = [...families.values()].flatMap((f) => f.samples);
  return {
    families,
    samples,
    value(name, labels = {}) {
      const wanted = JSON.stringify(Object.entries(labels).sort());
      return samples.find((s) => s.name === name && JSON.stringify(Object.entries(s.labels).sort()) === wanted)?.value;
    },
  };
}

function familyOf(families: Map<string, MetricFamily>, name: string): MetricFamily {
  let family = families.get(name);
  if (!family) {
    family = { name, type: 'untyped', help: undefined, samples: [] };
    families.set(name, family);
  }
  return family;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('no metric name');
  const name = nameMatch![0];
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith('{')) {
    rest = rest.slice(1);
    while (!rest.startsWith('}')) {
      const label = /^([^=\s]+)="/.exec(rest);
      if (!label || !LABEL_NAME.test(label[1]!)) fail('bad label');
      if (labels[label![1]!] !== undefined) fail('label twice');
      rest = rest.slice(label![0].length);
      let value = '';
      for (;;) {
        const char = rest[0];
        if (char === undefined) fail('unterminated label value');
        if (char === '"') break;
        if (char === '\\') {
          const escaped = rest[1];
          if (escaped === 'n') value += '\n';
          else if (escaped === '\\' || escaped === '"') value += escaped;
          else fail('bad escape in label value');
          rest = rest.slice(2);
        } else {
          value += char;
          rest = rest.slice(1);
        }
      }
      labels[label![1]!] = value;
      rest = rest.slice(1);
      if (rest.startsWith(',')) rest = rest.slice(1);
      else if (!rest.startsWith('}')) fail('expected , or }');
    }
    rest = rest.slice(1);
  }
  const valueMatch = /^ (\S+)(?: (-?\d+))?$/.exec(rest);
  if (!valueMatch) fail('expected " <value> [timestamp]"');
  return { name, labels, value: parseValue(valueMatch![1]!, fail) };
}

/** A Go float as Prometheus reads it (strconv.ParseFloat: NaN and Inf in any letter case). */
function parseValue(text: string, fail: (why: string) => never): number {
  const lower = text.toLowerCase();
  if (lower === 'nan') return Number.NaN;
  if (lower === '+inf' || lower === 'inf') return Number.POSITIVE_INFINITY;
  if (lower === '-inf') return Number.NEGATIVE_INFINITY;
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text)) fail('bad sample value');
  return Number(text);
}

function unescapeHelp(text: string): string {
  return text.replace(/\\(.)/g, (_m, c: string) => (c === 'n' ? '\n' : c));
}
