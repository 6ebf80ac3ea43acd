import cliProgress from 'cli-progress';

/** One progress bar per phase of a scenario ("hot-sku: reserve attempts 1234/20000"). */
export interface ProgressBar {
  update(value: number): void;
  stop(): void;
}

export interface Progress {
  start(label: string, total: number, unit?: string): ProgressBar;
}

/** Bars on stderr; when stderr is not a terminal (CI, files) a line every 2 s instead of redraws. */
export function terminalProgress(): Progress {
  return {
    start(label, total, unit = '') {
      const bar = new cliProgress.SingleBar(
        {
          format: `${label.padEnd(34)} [{bar}] {percentage}% | {value}/{total}${unit ? ` ${unit}` : ''} | {duration_formatted}`,
          barsize: 30,
          hideCursor: null,
          noTTYOutput: true,
          notTTYSchedule: 2000,
          etaBuffer: 50,
        },
        cliProgress.Presets.shades_classic,
      );
      bar.start(Math.max(1, total), 0);
      let stopped = false;
      return {
        update: (value) => bar.update(Math.min(value, Math.max(1, total))),
        stop: () => {
          if (stopped) return;
          stopped = true;
          bar.stop();
        },
      };
    },
  };
}

/** For tests and scripted runs. */
export const silentProgress: Progress = {
  start: () => ({ update: () => undefined, stop: () => undefined }),
};
