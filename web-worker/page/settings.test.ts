import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, loadSettings, pauseReason, saveSettings } from './settings.js';

function memoryStorage(initial: Record<string, string> = {}) {
  const items = new Map(Object.entries(initial));
  return { getItem: (key: string) => items.get(key) ?? null, setItem: (key: string, value: string) => void items.set(key, value) };
}

describe('volunteer settings', () => {
  it('are remembered, and anything unreadable or out of range is the default', () => {
    const storage = memoryStorage();
    expect(loadSettings(storage)).toEqual(DEFAULT_SETTINGS);
    saveSettings(storage, { paused: true, visibleOnly: true, cpuShare: 0.5, batteryFloor: 0 });
    expect(loadSettings(storage)).toEqual({ paused: true, visibleOnly: true, cpuShare: 0.5, batteryFloor: 0 });
    // Settings kept before the battery floor existed get its default, 20 %.
    expect(loadSettings(memoryStorage({ 'tabgrid.settings': '{"paused":false,"visibleOnly":true,"cpuShare":0.5}' }))).toEqual({
      paused: false,
      visibleOnly: true,
      cpuShare: 0.5,
      batteryFloor: 0.2,
    });
    expect(loadSettings(memoryStorage({ 'tabgrid.settings': '{"batteryFloor":0.17}' })).batteryFloor).toBe(0.2);
    expect(loadSettings(memoryStorage({ 'tabgrid.settings': '{not json' }))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(memoryStorage({ 'tabgrid.settings': '{"paused":"yes","cpuShare":0.3}' }))).toEqual(DEFAULT_SETTINGS);
    expect(loadSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    const refusing = { getItem: () => null, setItem: () => { throw new DOMException('full', 'QuotaExceededError'); } };
    expect(() => saveSettings(refusing, DEFAULT_SETTINGS)).not.toThrow();
  });

  it('say why the worker is paused: the volunteer first, then a hidden tab when asked', () => {
    expect(pauseReason(DEFAULT_SETTINGS, 'hidden')).toBeNull();
    expect(pauseReason({ ...DEFAULT_SETTINGS, visibleOnly: true }, 'hidden')).toBe('hidden');
    expect(pauseReason({ ...DEFAULT_SETTINGS, visibleOnly: true }, 'visible')).toBeNull();
    expect(pauseReason({ ...DEFAULT_SETTINGS, visibleOnly: true, paused: true }, 'hidden')).toBe('volunteer');
  });

  it('then say why the machine pauses it: critical pressure, or a battery below the floor', () => {
    const low = { pressure: null, battery: { level: 0.1, charging: false } };
    expect(pauseReason(DEFAULT_SETTINGS, 'visible', low)).toBe('battery');
    expect(pauseReason({ ...DEFAULT_SETTINGS, batteryFloor: 0 }, 'visible', low)).toBeNull();
    expect(pauseReason(DEFAULT_SETTINGS, 'visible', { pressure: 'critical', battery: null })).toBe('pressure');
    expect(pauseReason({ ...DEFAULT_SETTINGS, paused: true }, 'visible', low)).toBe('volunteer');
  });
});
