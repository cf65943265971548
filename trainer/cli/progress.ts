/**
 * Progress for long commands: a cli-progress bar (steps, ETA, tokens/s, loss) on a terminal,
 * one plain line every few seconds otherwise (logs, CI, the job worker).
 */
import cliProgress from "cli-progress";

export interface Progress {
  update(step: number, stats: { loss?: number; tokensPerSec?: number }): void;
  stop(): void;
}

export function createProgress(label: string, total: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  if (stream.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} | ETA {eta_formatted} | {tps} tok/s | loss {loss}`, stream, hideCursor: true },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { tps: "-", loss: "-" });
    return {
      update: (step, s) => bar.update(step, { tps: s.tokensPerSec?.toFixed(0) ?? "-", loss: s.loss?.toFixed(4) ?? "-" }),
      stop: () => bar.stop(),
    };
  }
  let lastPrint = 0;
  return {
    update(step, s) {
      const now = Date.now();
      if (now - lastPrint < 2000 && step < total) return;
      lastPrint = now;
      const parts = [`${label} ${step}/${total}`, s.tokensPerSec !== undefined ? `${s.tokensPerSec.toFixed(0)} tok/s` : "", s.loss !== undefined ? `loss ${s.loss.toFixed(4)}` : ""];
      stream.write(parts.filter(Boolean).join(" | ") + "\n");
    },
    stop() {},
  };
}
