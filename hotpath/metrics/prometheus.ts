/**
 * Prometheus text exposition format 0.0.4 (`text/plain; version=0.0.4`): a writer that emits `# HELP` and
 * `# TYPE` once per family, keeps each family's samples together (the format requires it, whatever order
 * the caller adds them in) and escapes label values. Used off the frame path (a scrape), so clarity wins.
 */

export const PROMETHEUS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type MetricLabels = Readonly<Record<string, string>>;
type MetricType = "counter" | "gauge" | "summary";

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function formatLabels(labels: MetricLabels | undefined): string {
  if (labels === undefined) return "";
  const parts = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

export class PrometheusWriter {
  /** Family → its header and sample lines, in first-seen order. */
  private readonly families = new Map<string, string[]>();

  counter(name: string, help: string, value: number, labels?: MetricLabels): this {
    return this.sample(name, "counter", help, name, value, labels);
  }

  gauge(name: string, help: string, value: number, labels?: MetricLabels): this {
    return this.sample(name, "gauge", help, name, value, labels);
  }

  /** A summary from precomputed quantiles (e.g. an HdrHistogram's). */
  summary(
    name: string,
    help: string,
    quantiles: ReadonlyMap<number, number>,
    count: number,
    sum: number,
    labels?: MetricLabels,
  ): this {
    for (const [quantile, value] of quantiles) {
      this.sample(name, "summary", help, name, value, { ...labels, quantile: String(quantile) });
    }
    this.sample(name, "summary", help, `${name}_sum`, sum, labels);
    return this.sample(name, "summary", help, `${name}_count`, count, labels);
  }

  text(): string {
    let text = "";
    for (const lines of this.families.values()) text += `${lines.join("\n")}\n`;
    return text;
  }

  private sample(
    family: string,
    type: MetricType,
    help: string,
    name: string,
    value: number,
    labels: MetricLabels | undefined,
  ): this {
    if (!METRIC_NAME.test(name)) throw new RangeError(`invalid Prometheus metric name ${name}`);
    let lines = this.families.get(family);
    if (lines === undefined) {
      lines = [
        `# HELP ${family} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`,
        `# TYPE ${family} ${type}`,
      ];
      this.families.set(family, lines);
    }
    lines.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
    return this;
  }
}
