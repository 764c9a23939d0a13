import { expect, test } from '@playwright/test';
import { parsePrintedUrls } from './coordinator.js';

// The harness's own pure parts; no browser and no coordinator.

test('reads the URLs and token that `tabgrid serve` prints', () => {
  const output = [
    'tabgrid coordinator listening',
    'join URL: http://127.0.0.1:41234/join?token=j0in',
    'admin URL: http://127.0.0.1:41234/admin',
    'admin token: s3cret',
    '',
  ].join('\n');
  expect(parsePrintedUrls(output)).toEqual({
    url: 'http://127.0.0.1:41234',
    joinUrl: 'http://127.0.0.1:41234/join?token=j0in',
    adminUrl: 'http://127.0.0.1:41234/admin',
    adminToken: 's3cret',
  });
});

test('waits until all three lines are there', () => {
  expect(parsePrintedUrls('join URL: http://127.0.0.1:1/join\nadmin URL: http://127.0.0.1:1/admin\n')).toBeUndefined();
});

test('takes lines that start with the label only', () => {
  const output = 'note: the admin token: below\njoin URL: http://127.0.0.1:2/j\nadmin URL: http://127.0.0.1:2/a\nadmin token: t\r\n';
  expect(parsePrintedUrls(output)?.adminToken).toBe('t');
});
