// Types of parse-prometheus-text-format (it ships none): prom2json's shape of an exposition text.
declare module 'parse-prometheus-text-format' {
  /** One sample of a counter, gauge or untyped family; a histogram's or summary's series of one label set. */
  export interface PrometheusSample {
    labels?: Record<string, string>;
    value?: string;
    /** A histogram's cumulative bucket counts by `le`. */
    buckets?: Record<string, string>;
    /** A summary's quantiles. */
    quantiles?: Record<string, string>;
    count?: string;
    sum?: string;
  }
  export interface PrometheusFamily {
    name: string;
    help: string;
    type: 'COUNTER' | 'GAUGE' | 'HISTOGRAM' | 'SUMMARY' | 'UNTYPED';
    metrics: PrometheusSample[];
  }
  export default function parsePrometheusTextFormat(text: string): PrometheusFamily[];
}
