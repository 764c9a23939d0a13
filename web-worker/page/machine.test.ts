import { describe, expect, it } from 'vitest';
import { machinePause, NOTHING_READ, othersPressure, pressureOfLoad, underPressure } from './machine.js';

describe('underPressure', () => {
  it('halves the workers at serious pressure, at least one, each at its own share', () => {
    expect(underPressure({ workers: 4, workerShare: 0.75 }, 'serious')).toEqual({ workers: 2, workerShare: 0.75, halved: true });
    expect(underPressure({ workers: 3, workerShare: 1 }, 'serious')).toEqual({ workers: 1, workerShare: 1, halved: true });
    expect(underPressure({ workers: 1, workerShare: 1 }, 'serious')).toEqual({ workers: 1, workerShare: 1, halved: true });
  });

  it('changes nothing below serious, nor without readings (critical pauses instead: see machinePause)', () => {
    for (const pressure of ['nominal', 'fair', 'critical', null] as const) {
      expect(underPressure({ workers: 4, workerShare: 1 }, pressure)).toEqual({ workers: 4, workerShare: 1, halved: false });
    }
  });
});

describe('machinePause', () => {
  it('pauses at critical pressure, and resumes when it falls back', () => {
    expect(machinePause({ pressure: 'critical', battery: null }, 0.2)).toBe('pressure');
    for (const pressure of ['nominal', 'fair', 'serious'] as const) expect(machinePause({ pressure, battery: null }, 0.2)).toBeNull();
  });

  it('pauses on a battery discharging below the floor, not while charging, not with the floor at 0', () => {
    const low = { level: 0.15, charging: false };
    expect(machinePause({ pressure: null, battery: low }, 0.2)).toBe('battery');
    expect(machinePause({ pressure: null, battery: { ...low, charging: true } }, 0.2)).toBeNull();
    expect(machinePause({ pressure: null, battery: low }, 0)).toBeNull();
    expect(machinePause({ pressure: null, battery: { level: 0.2, charging: false } }, 0.2)).toBeNull();
    // Critical pressure says more than the battery.
    expect(machinePause({ pressure: 'critical', battery: low }, 0.2)).toBe('pressure');
  });

  it('changes nothing where the browser reports nothing', () => {
    expect(machinePause(NOTHING_READ, 0.2)).toBeNull();
  });
});

describe('othersPressure', () => {
  it("reads the tab's own load as Chromium reads utilization", () => {
    expect([0, 0.29, 0.3, 0.59, 0.6, 0.89, 0.9, 1].map(pressureOfLoad)).toEqual(['nominal', 'nominal', 'fair', 'fair', 'serious', 'serious', 'critical', 'critical']);
  });

  it("does not back the tab off from its own work, and still does from others'", () => {
    // Every core busy: the tab alone reads critical; that is not someone else.
    expect(othersPressure('critical', 1)).toBe('nominal');
    expect(othersPressure('serious', 1)).toBe('nominal');
    // One of two cores busy (fair from itself): serious or critical is someone else.
    expect(othersPressure('serious', 0.5)).toBe('serious');
    expect(othersPressure('critical', 0.5)).toBe('critical');
    // Idle (paused), any pressure is someone else's.
    expect(othersPressure('fair', 0)).toBe('fair');
    expect(othersPressure(null, 0)).toBeNull();
  });
});
