import os from 'node:os';

export interface MachineInfo {
  cores: number;
  availableParallelism: number;
  cpuModel: string;
  totalMemoryGiB: number;
  node: string;
  platform: string;
  /** 1, 5 and 15 minute load averages when the run started (other work on the machine skews numbers). */
  loadAverageAtStart: [number, number, number];
  date: string;
}

export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  const [l1, l5, l15] = os.loadavg();
  return {
    cores: cpus.length,
    availableParallelism: os.availableParallelism(),
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    totalMemoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageAtStart: [round2(l1 ?? 0), round2(l5 ?? 0), round2(l15 ?? 0)],
    date: new Date().toISOString(),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
