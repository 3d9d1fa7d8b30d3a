/**
 * Progress on the terminal while the bench runs: which workload, which
 * library, run k of n. On a terminal, one cli-progress bar owned by the
 * orchestrator (children never write to the terminal; their progress lines
 * come through a pipe and are shown beside the bar). Elsewhere (CI, a file),
 * one plain line when a job starts and one when it ends.
 *
 * @module
 */
import cliProgress from "cli-progress";
import { formatNs } from "./format.js";
import type { RunRecord } from "./model.js";

/** Where the orchestrator reports. */
export interface Reporter {
  /** A new job: `label` names the workload, library, point and run. */
  startJob(index: number, label: string): void;
  /** A progress line from the running child. */
  detail(text: string): void;
  /** The job ended. */
  endJob(record: RunRecord): void;
  /** A line that is not about a job (phase changes, warnings). */
  note(text: string): void;
  stop(): void;
}

function outcome(r: RunRecord): string {
  const t = formatNs(r.wallMs * 1e6);
  if (r.status === "ok") return `ok (${t})`;
  return `${r.status.toUpperCase()} (${t})${r.message === undefined ? "" : `: ${r.message.split("\n")[0]}`}`;
}

/** Plain lines on stderr, one per job start and end. */
class LineReporter implements Reporter {
  private current = "";
  constructor(private readonly total: number) {}
  startJob(index: number, label: string): void {
    this.current = `[${index + 1}/${this.total}] ${label}`;
    process.stderr.write(`[bench] ${this.current} …\n`);
  }
  detail(): void {}
  endJob(record: RunRecord): void {
    process.stderr.write(`[bench] ${this.current}: ${outcome(record)}\n`);
  }
  note(text: string): void {
    process.stderr.write(`[bench] ${text}\n`);
  }
  stop(): void {}
}

/** One bar on a terminal; failed jobs are also logged above it. */
class BarReporter implements Reporter {
  private readonly bar: cliProgress.SingleBar;
  private label = "";
  constructor(total: number) {
    this.bar = new cliProgress.SingleBar(
      {
        format: "{bar} {value}/{total} jobs | {duration_formatted} (eta {eta_formatted}) | {job} {detail}",
        hideCursor: true,
        barsize: 24,
        etaBuffer: 20,
        linewrap: false,
        stream: process.stderr,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(total, 0, { job: "", detail: "" });
  }
  startJob(_index: number, label: string): void {
    this.label = label;
    this.bar.update({ job: label, detail: "" });
  }
  detail(text: string): void {
    this.bar.update({ detail: `· ${text}` });
  }
  endJob(record: RunRecord): void {
    if (record.status !== "ok") this.note(`${this.label}: ${outcome(record)}`);
    this.bar.increment(1, { detail: "" });
  }
  note(text: string): void {
    // cli-progress redraws over the current line; print above it.
    process.stderr.write(`\r\x1b[2K[bench] ${text}\n`);
    this.bar.render();
  }
  stop(): void {
    this.bar.stop();
  }
}

/** A bar on a terminal (stderr is a TTY), plain lines otherwise. */
export function createReporter(totalJobs: number): Reporter {
  return process.stderr.isTTY ? new BarReporter(totalJobs) : new LineReporter(totalJobs);
}
