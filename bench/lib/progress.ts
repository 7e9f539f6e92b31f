/**
 * Progress on stderr for long benchmark runs: which step, how far, and an ETA for the step and
 * for the whole run. On a terminal the status line is rewritten in place; otherwise (CI logs,
 * pipes) a line is printed at most every few seconds, and whenever the step changes.
 */
export type Step = { key: string; label: string; estimateS: number };

export function createProgress(title: string, steps: Step[]) {
  const tty = process.stderr.isTTY === true;
  const startedAt = Date.now();
  let index = -1;
  let stepStartedAt = Date.now();
  let lastPrinted = 0;
  let lastLine = '';

  const fmt = (s: number) => {
    if (!Number.isFinite(s) || s < 0) return '?';
    s = Math.round(s);
    return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
  };

  function remainingAfterCurrent(): number {
    return steps.slice(index + 1).reduce((sum, s) => sum + s.estimateS, 0);
  }

  function write(line: string, force: boolean) {
    const now = Date.now();
    if (tty) {
      process.stderr.write(`\r\x1b[2K${line}`);
      lastLine = line;
      return;
    }
    if (force || now - lastPrinted >= 3000) {
      process.stderr.write(`${line}\n`);
      lastPrinted = now;
    }
    lastLine = line;
  }

  return {
    /** Starts the step `key` (declared in `steps`). */
    step(key: string, detail = ''): void {
      const i = steps.findIndex((s) => s.key === key);
      if (i < 0) throw new Error(`unknown progress step ${key}`);
      if (tty && lastLine) process.stderr.write('\n');
      index = i;
      stepStartedAt = Date.now();
      const s = steps[i]!;
      write(
        `[${title}] step ${i + 1}/${steps.length}: ${s.label}${detail ? ` (${detail})` : ''}` +
          ` · run ETA ${fmt(s.estimateS + remainingAfterCurrent())}`,
        true,
      );
    },
    /**
     * The current step's status: `done`/`total` units and, when known, the seconds this step still
     * needs (otherwise extrapolated from its progress so far).
     */
    update(text: string, options: { done?: number; total?: number; stepRemainingS?: number } = {}): void {
      const s = steps[index];
      if (!s) return;
      const elapsed = (Date.now() - stepStartedAt) / 1000;
      let stepLeft = options.stepRemainingS;
      if (stepLeft === undefined && options.done && options.total) {
        stepLeft = (elapsed / options.done) * (options.total - options.done);
      }
      stepLeft ??= Math.max(0, s.estimateS - elapsed);
      write(
        `[${title}] ${s.label}: ${text} · step ETA ${fmt(stepLeft)} · run ETA ${fmt(stepLeft + remainingAfterCurrent())}` +
          ` · elapsed ${fmt((Date.now() - startedAt) / 1000)}`,
        false,
      );
    },
    /** A line that stays (results of a step, warnings). */
    note(text: string): void {
      if (tty && lastLine) process.stderr.write('\n');
      lastLine = '';
      process.stderr.write(`[${title}] ${text}\n`);
    },
    done(): void {
      if (tty && lastLine) process.stderr.write('\n');
      process.stderr.write(`[${title}] finished in ${fmt((Date.now() - startedAt) / 1000)}\n`);
    },
  };
}

export type Progress = ReturnType<typeof createProgress>;
