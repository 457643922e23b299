import { describe, expect, it } from 'vitest';
import { describeAgent } from './agents.ts';

describe('describeAgent', () => {
  it('names common browsers and systems', () => {
    expect(describeAgent('Mozilla/5.0 (X11; Linux x86_64; rv:140.0) Gecko/20100101 Firefox/140.0')).toBe('Firefox on Linux');
    expect(describeAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36')).toBe(
      'Chrome on Android'
    );
    expect(
      describeAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X) AppleWebKit/605.1.15 Version/18.0 Mobile/15E148 Safari/604.1')
    ).toBe('Safari on iPhone');
    expect(describeAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0 Safari/537.36 Edg/131.0')).toBe(
      'Edge on Windows'
    );
    expect(describeAgent('curl/8.5.0')).toBe('A script or app');
    expect(describeAgent(null)).toBe('An unknown browser');
  });
});
