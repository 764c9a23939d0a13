import { describe, expect, it } from 'vitest';
import { TabConditions } from './conditions.js';
import { DEFAULT_SETTINGS, type VolunteerSettings } from './settings.js';

describe('TabConditions', () => {
  it('follows the settings and the machine: the CPU limit, serious pressure, a low battery', () => {
    const settings: VolunteerSettings = { ...DEFAULT_SETTINGS };
    const tab = new TabConditions(settings, 2, undefined);
    expect(tab.mostWorkers()).toBe(2);
    expect(tab.plan()).toEqual({ workers: 2, workerShare: 1, halved: false });
    settings.cpuShare = 0.75;
    expect(tab.plan()).toEqual({ workers: 2, workerShare: 0.75, halved: false });
    settings.cpuShare = 0.5;
    expect(tab.lines(null)).toMatchObject({ pausedWhy: null, workersWhy: '1 worker: 2 cores × 50 %' });

    settings.cpuShare = 1;
    tab.machine.pressure = 'serious';
    expect(tab.plan()).toMatchObject({ workers: 1, halved: true });
    tab.machine.pressure = 'critical';
    expect(tab.pauseReason('visible')).toBe('pressure');
    tab.machine.pressure = 'fair';
    tab.machine.battery = { level: 0.15, charging: false };
    expect(tab.pauseReason('visible')).toBe('battery');
    expect(tab.lines('battery')).toMatchObject({ pausedBecause: 'battery', pausedWhy: 'paused: battery at 15 %, below your 20 %' });
  });

  it('runs at most the address cap, and declares that as its most', () => {
    const tab = new TabConditions({ ...DEFAULT_SETTINGS }, 8, 1);
    expect(tab.mostWorkers()).toBe(1);
    expect(tab.plan()).toEqual({ workers: 1, workerShare: 1, halved: false });
  });
});
