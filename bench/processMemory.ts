import fs from 'node:fs';

/**
 * Resident memory of a process group (a `kilo serve` and anything it spawned), sampled from /proc.
 * The leader's own peak is also read from the kernel (VmHWM), which a sampler cannot miss.
 */
export class GroupMemorySampler {
  private peakBytes = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly groupId: number,
    everyMs = 200,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
    this.timer.unref();
  }

  /** Highest sum of the group's RSS seen (at least the leader's own peak), and the leader's own kernel-recorded peak. */
  stop(): { peakRssBytes: number; leaderPeakRssBytes: number } {
    clearInterval(this.timer);
    this.sample();
    const leaderPeakRssBytes = statusKb(this.groupId, 'VmHWM') * 1024;
    return { peakRssBytes: Math.max(this.peakBytes, leaderPeakRssBytes), leaderPeakRssBytes };
  }

  private sample(): void {
    let total = 0;
    for (const pid of groupMembers(this.groupId)) total += statusKb(pid, 'VmRSS') * 1024;
    this.peakBytes = Math.max(this.peakBytes, total);
  }
}

/** This process's own peak RSS (the kernel's figure, covering the whole life of the process). */
export function ownPeakRssBytes(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/**
 * CPU time the process group has used so far, in ms: user and system time of each member and of its
 * children that were waited for (Kilo's git and shell calls). Clock ticks are read as 100 per second,
 * Linux's fixed USER_HZ.
 */
export function groupCpuMs(groupId: number): number {
  let ticks = 0;
  for (const pid of groupMembers(groupId)) {
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      // After the command name: state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
    } catch {
      // the process ended between the listing and the read
    }
  }
  return ticks * 10;
}

function groupMembers(groupId: number): number[] {
  const members: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return members;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name (which may hold spaces): state ppid pgrp …
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[2]) === groupId) members.push(Number(entry));
    } catch {
      // the process ended between the listing and the read
    }
  }
  return members;
}

function statusKb(pid: number, field: string): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status);
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}
