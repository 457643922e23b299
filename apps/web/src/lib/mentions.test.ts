import { describe, expect, it } from 'vitest';
import { completeMention, mentionAt } from './mentions.ts';

const at = (withCaret: string) => {
  const caret = withCaret.indexOf('|');
  return mentionAt(withCaret.replace('|', ''), caret);
};

describe('mentionAt', () => {
  it('finds the mention being typed at the caret', () => {
    expect(at('Thanks @sa|')).toEqual({ start: 7, query: 'sa' });
    expect(at('@j|')).toEqual({ start: 0, query: 'j' });
    expect(at('(cc @bmet.tech|')).toEqual({ start: 4, query: 'bmet.tech' });
    expect(at('line one\n@ro|')).toEqual({ start: 9, query: 'ro' });
  });
  it('stays quiet where the renderer would not see a mention', () => {
    expect(at('mail jane@exam|')).toBeNull();
    expect(at('just @|')).toBeNull();
    expect(at('code `@sam|')).toBeNull();
    expect(at('```\nlog @sam|')).toBeNull();
    expect(at('@sa|m is editing in the middle')).toBeNull();
    expect(at('@@sam|')).toBeNull();
  });
  it('works again after a closed code span or block', () => {
    expect(at('`x` @sam|')).toEqual({ start: 4, query: 'sam' });
    expect(at('```\nlog\n```\n@sam|')).toEqual({ start: 12, query: 'sam' });
  });
});

describe('completeMention', () => {
  it('completes to the username with one space after, and puts the caret past it', () => {
    expect(completeMention('Thanks @sa', 7, 10, 'sam_okafor')).toEqual({ text: 'Thanks @sam_okafor ', caret: 19 });
    expect(completeMention('Thanks @sa for it', 7, 10, 'sam')).toEqual({ text: 'Thanks @sam for it', caret: 12 });
  });
});
