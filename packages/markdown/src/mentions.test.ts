import { describe, expect, it } from 'vitest';
import { extractMentions } from './index.ts';
import { renderMarkdown } from './server.ts';
import { parse } from './test-helpers.ts';

const REL = 'nofollow noopener ugc';

function mention(name: string): string {
  return `<a href="/u/${name}" class="mention" rel="${REL}">@${name}</a>`;
}

/** The mention links in the rendered output, as [href, text] pairs. */
function mentionLinks(md: string): [string | null, string | null][] {
  const root = parse(renderMarkdown(md));
  return Array.from(root.querySelectorAll('a.mention')).map((a) => [a.getAttribute('href'), a.textContent]);
}

/**
 * Safety invariants for output that may contain mentions (test-helpers'
 * expectSafe only knows the `language-*` class): every class on <a> is exactly
 * `mention` on a `/u/<name>` link whose only content is `@<name>`.
 */
function expectMentionsWellFormed(html: string): void {
  const root = parse(html);
  for (const el of Array.from(root.querySelectorAll('[class]'))) {
    const tag = el.nodeName.toLowerCase();
    if (tag === 'code') {
      expect(el.getAttribute('class')).toMatch(/^language-[\w+#.-]+$/);
      continue;
    }
    expect(tag).toBe('a');
    expect(el.getAttribute('class')).toBe('mention');
    expect(el.getAttributeNames().sort()).toEqual(['class', 'href', 'rel']);
    const href = el.getAttribute('href') ?? '';
    expect(href).toMatch(/^\/u\/[A-Za-z0-9_][A-Za-z0-9_.-]{2,31}$/);
    expect(el.textContent).toBe('@' + href.slice(3));
    expect(el.getAttribute('rel')).toBe(REL);
  }
}

function render(md: string): string {
  const html = renderMarkdown(md);
  expectMentionsWellFormed(html);
  return html;
}

describe('mentions in prose', () => {
  it('renders exactly the documented link', () => {
    expect(render('thanks @jane_doe for the tip')).toBe(`<p>thanks ${mention('jane_doe')} for the tip</p>`);
  });

  it('at the start of a paragraph and of a line', () => {
    expect(render('@bmet_mike can you check?')).toBe(`<p>${mention('bmet_mike')} can you check?</p>`);
    expect(render('first line\n@second_line here')).toBe(`<p>first line<br>${mention('second_line')} here</p>`);
  });

  it.each([
    ['(@carol)', 'carol'],
    ['"@dave"', 'dave'],
    ['cc:@erin', 'erin'],
    ['thanks,@frank', 'frank'],
    ['[@grace]', 'grace'],
    ["'@heidi'", 'heidi'],
    ['*@ivan*', 'ivan'],
    ['**@judy**', 'judy'],
    ['~~@mallory~~', 'mallory']
  ])('after punctuation: %s', (md, name) => {
    expect(mentionLinks(md)).toEqual([[`/u/${name}`, `@${name}`]]);
  });

  it('allows dots, dashes, underscores and digits inside the name', () => {
    expect(mentionLinks('ask @j.smith-2 or @_ce_team or @123abc')).toEqual([
      ['/u/j.smith-2', '@j.smith-2'],
      ['/u/_ce_team', '@_ce_team'],
      ['/u/123abc', '@123abc']
    ]);
  });

  it('trailing sentence punctuation is not part of the name', () => {
    expect(render('ping @bob.')).toBe(`<p>ping ${mention('bob')}.</p>`);
    expect(render('ping @bob...')).toBe(`<p>ping ${mention('bob')}...</p>`);
    expect(render('@bob, @carol; @dave! @erin? @frank:')).toBe(
      `<p>${mention('bob')}, ${mention('carol')}; ${mention('dave')}! ${mention('erin')}? ${mention('frank')}:</p>`
    );
    expect(render("@bob's pump")).toBe(`<p>${mention('bob')}'s pump</p>`);
  });

  it('keeps the name as typed (href too); extractMentions lower-cases', () => {
    expect(render('@Jane_Doe')).toBe(`<p>${mention('Jane_Doe')}</p>`);
    expect(extractMentions('@Jane_Doe')).toEqual(['jane_doe']);
  });

  it('works in headings, list items, quotes and table cells', () => {
    const md = '# ask @alpha\n\n- item @bravo\n\n> quoted @charlie\n\n| who |\n|---|\n| @delta |';
    const html = render(md);
    expect(mentionLinks(md).map(([href]) => href)).toEqual(['/u/alpha', '/u/bravo', '/u/charlie', '/u/delta']);
    expect(html).toContain(`<h3>ask ${mention('alpha')}</h3>`);
  });
});

describe('not a mention', () => {
  it.each([
    ['inline code', 'run `@bob` in the console'],
    ['fenced code', '```\nuser=@bob\n@bob\n```'],
    ['indented code', '    @bob in a code block'],
    ['markdown link text', '[@bob](https://example.org/bob)'],
    ['reference link text', '[@bob][1]\n\n[1]: https://example.org/bob'],
    ['raw <a> link text', '<a href="https://example.org">hi @bob</a>'],
    ['raw <code> / <kbd>', '<code>@bob</code> <kbd>@bob</kbd> <pre>@bob</pre>'],
    ['HTML block', '<div>\n@bob\n</div>'],
    ['email address', 'mail jane@example.org'],
    ['email-like text without a TLD', 'ssh biomed@pump01'],
    ['URL path', 'https://medium.com/@bob and www.example.org/@carol'],
    ['fediverse-style handle', '@jane@example.org'],
    ['glued to a word', 'word@bob'],
    ['after a slash, dot or another @', 'x/@bob y.@bob @@bob'],
    ['after a non-ASCII letter', 'josé@bob'],
    ['name with a non-ASCII letter', '@josé'],
    ['too short', '@ab and @a and @'],
    ['too short after stripping dots', '@ab.'],
    ['too long (33 characters)', '@' + 'a'.repeat(33)],
    ['starts with a dot or dash', '@.bob @-bob'],
    ['escaped @', '\\@bob'],
    ['inside an HTML comment', '<!-- @bob -->']
  ])('%s', (_name, md) => {
    const html = render(md);
    expect(html).not.toContain('class="mention"');
    expect(extractMentions(md)).toEqual([]);
  });

  it('emails still become mailto links', () => {
    const root = parse(render('mail jane@example.org or <bmet@example.org> today'));
    expect(Array.from(root.querySelectorAll('a')).map((a) => a.getAttribute('href'))).toEqual([
      'mailto:jane@example.org',
      'mailto:bmet@example.org'
    ]);
  });

  it('a 32-character name is still allowed', () => {
    const name = 'a'.repeat(32);
    expect(mentionLinks(`@${name}`)).toEqual([[`/u/${name}`, `@${name}`]]);
  });

  it('mentions and emails side by side', () => {
    const md = '@alice wrote to jane@example.org, cc @bob_ce.';
    expect(mentionLinks(md).map(([href]) => href)).toEqual(['/u/alice', '/u/bob_ce']);
    expect(parse(render(md)).querySelector('a[href^="mailto:"]')?.textContent).toBe('jane@example.org');
  });
});

describe('sanitizer and class="mention"', () => {
  it('raw HTML cannot dress up an external link as a mention', () => {
    const html = render('<a class="mention" href="https://evil.example/login">@admin</a>');
    expect(html).toBe(`<p><a href="https://evil.example/login" rel="${REL}">@admin</a></p>`);
  });

  it('class must be exactly "mention" and text must match the href', () => {
    const html = render(
      '<a class="mention admin" href="/u/bob">@bob</a> <a class="mention" href="/u/bob">@carol</a> ' +
        '<a class="mention" href="/u/bob"><b>@bob</b></a> <a class="Mention" href="/u/bob">@bob</a>'
    );
    expect(html).not.toContain('class=');
  });

  it('class="mention" is not allowed on other elements', () => {
    expect(render('<p class="mention">x</p><span class="mention">y</span><code class="mention">z</code>')).not.toContain('mention');
  });

  it('a raw link identical to a rendered mention keeps its class (equivalent to typing @name)', () => {
    const root = parse(render('<a class="mention" href="/u/bob">@bob</a>'));
    expect(root.querySelector('a')?.getAttribute('class')).toBe('mention');
  });
});

describe('extractMentions', () => {
  it('returns unique lower-cased names in order of first appearance', () => {
    expect(extractMentions('@Bob and @carol, again @BOB and @Carol. Also @dave_ce')).toEqual(['bob', 'carol', 'dave_ce']);
  });

  it('finds exactly what render links', () => {
    const md = [
      '# Shift handover @night_shift',
      '',
      'Pump 14 alarmed again, @Jane.Doe please check (see `@not_this`).',
      'Email biomed@example.org or ping @ce-lead.',
      '',
      '```',
      '@also_not_this',
      '```',
      '',
      '- [ ] @tech_01 replace tubing',
      '- [x] [@linked](https://example.org) done'
    ].join('\n');
    const rendered = mentionLinks(md).map(([href]) => (href ?? '').slice(3).toLowerCase());
    expect(extractMentions(md)).toEqual(['night_shift', 'jane.doe', 'ce-lead', 'tech_01']);
    expect(extractMentions(md)).toEqual([...new Set(rendered)]);
  });

  it('returns [] for empty or mention-free input', () => {
    expect(extractMentions('')).toEqual([]);
    expect(extractMentions('no mentions here')).toEqual([]);
  });
});

describe('large inputs', () => {
  it.each([
    ['many mentions', '@bob_1 '.repeat(7200)],
    ['many emails', 'a@b.co '.repeat(7200)],
    ['many glued @', 'x@y '.repeat(12_500)],
    ['only @', '@'.repeat(50_000)],
    ['one long run', '@' + 'a'.repeat(50_000)]
  ])('%s (50k characters) renders and extracts', (_name, md) => {
    const html = renderMarkdown(md);
    expect(html.length).toBeGreaterThan(0);
    expect(extractMentions(md).length).toBeLessThanOrEqual(1);
  });
});
