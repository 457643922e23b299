import { readFileSync } from 'node:fs';
import { JSDOM } from 'jsdom';
import { marked as globalMarked } from 'marked';
import { describe, expect, it } from 'vitest';
import { ALLOWED_TAGS, checkUrl, createRenderer, type WindowLike } from './index.ts';
import { renderMarkdown } from './server.ts';
import { expectSafe, parse } from './test-helpers.ts';
import { realisticPost } from './fixtures.ts';

function render(md: string): { html: string; root: HTMLElement } {
  const html = renderMarkdown(md);
  expectSafe(html);
  return { html, root: parse(html) };
}

describe('empty input', () => {
  it.each([[''], ['   '], ['\n\n\t  \n'], ['\u00a0']])('renders %j to an empty string', (md) => {
    expect(renderMarkdown(md)).toBe('');
  });
});

describe('formatting that must survive', () => {
  it('fenced code keeps a language-* class and escapes its content', () => {
    const { root } = render('```c++\nif (a < b && c > d) { run(); }\n```');
    const code = root.querySelector('pre > code');
    expect(code?.getAttribute('class')).toBe('language-c++');
    expect(code?.textContent).toBe('if (a < b && c > d) { run(); }\n');
  });

  it('inline code containing <script> is shown as text', () => {
    const { html, root } = render('Do not paste `<script>alert(1)</script>` here');
    expect(html).toContain('<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>');
    expect(root.querySelector('code')?.textContent).toBe('<script>alert(1)</script>');
  });

  it('tables keep column alignment', () => {
    const { root } = render('| Code | Meaning | Count |\n|:-----|:-------:|------:|\n| E-01 | Occlusion | 3 |');
    expect(Array.from(root.querySelectorAll('th')).map((th) => th.getAttribute('align'))).toEqual(['left', 'center', 'right']);
    expect(root.querySelector('tbody td')?.textContent).toBe('E-01');
  });

  it('lists, nested lists and ordered lists with start', () => {
    const { root } = render('1. one\n2. two\n   - nested\n\nbetween\n\n7. seven\n8. eight');
    const ols = root.querySelectorAll('ol');
    expect(ols).toHaveLength(2);
    expect(ols[0]?.hasAttribute('start')).toBe(false);
    expect(ols[1]?.getAttribute('start')).toBe('7');
    expect(root.querySelector('ol li ul li')?.textContent).toBe('nested');
  });

  it('task lists render as text markers, not form controls', () => {
    const { root } = render('- [x] replaced tubing\n- [ ] recalibrate');
    const items = Array.from(root.querySelectorAll('li')).map((li) => li.textContent?.trim());
    expect(items).toEqual(['\u2611 replaced tubing', '\u2610 recalibrate']);
  });

  it('blockquotes, emphasis, strikethrough, breaks and inline HTML', () => {
    const { html } = render(
      '> quoted **bold** _em_ ~~old~~\n> next line <kbd>Ctrl</kbd>+<kbd>C</kbd> H<sub>2</sub>O x<sup>2</sup> <b>b</b>'
    );
    expect(html).toBe(
      '<blockquote>\n<p>quoted <strong>bold</strong> <em>em</em> <del>old</del><br>next line <kbd>Ctrl</kbd>+<kbd>C</kbd> H<sub>2</sub>O x<sup>2</sup> b</p>\n</blockquote>'
    );
  });

  it('https, mailto, relative and fragment links are kept with rel', () => {
    const { root } = render(
      '[a](https://fda.gov/recalls "FDA") <https://x.example> www.example.org [m](mailto:bmet@example.org) [r](/t/42#post-3) [f](#top) [q](?page=2)'
    );
    const links = Array.from(root.querySelectorAll('a')).map((a) => [a.getAttribute('href'), a.getAttribute('rel')]);
    expect(links).toEqual([
      ['https://fda.gov/recalls', 'nofollow noopener ugc'],
      ['https://x.example', 'nofollow noopener ugc'],
      ['http://www.example.org', 'nofollow noopener ugc'],
      ['mailto:bmet@example.org', 'nofollow noopener ugc'],
      ['/t/42#post-3', 'nofollow noopener ugc'],
      ['#top', 'nofollow noopener ugc'],
      ['?page=2', 'nofollow noopener ugc']
    ]);
    expect(root.querySelector('a')?.getAttribute('title')).toBe('FDA');
  });

  it('https images get loading=lazy and referrerpolicy=no-referrer', () => {
    const { html } = render(
      '![pump front panel](https://img.example/pump.jpg "E-01 on display") <img src="https://img.example/b.png" alt="b" width="320" height="240">'
    );
    expect(html).toBe(
      '<p><img src="https://img.example/pump.jpg" alt="pump front panel" title="E-01 on display" loading="lazy" referrerpolicy="no-referrer"> ' +
        '<img src="https://img.example/b.png" alt="b" width="320" height="240" loading="lazy" referrerpolicy="no-referrer"></p>'
    );
  });

  it('headings are demoted two levels (h1 -> h3, capped at h6)', () => {
    const { root } = render('# One\n## Two\n### Three\n#### Four\n###### Six\n\nSetext\n======');
    expect(Array.from(root.children).map((el) => el.nodeName)).toEqual(['H3', 'H4', 'H5', 'H6', 'H6', 'H3']);
  });

  it('details / summary and hr survive', () => {
    const { html } = render('<details>\n<summary>Full log</summary>\n\nline 1\n\n</details>\n\n---');
    expect(html).toBe('<details>\n<summary>Full log</summary><p>line 1</p>\n</details><hr>');
  });

  it('every allow-listed tag can actually be produced', () => {
    const md = [
      '# h',
      '## h',
      '### h',
      '#### h',
      'p **s** *e* ~~d~~ <s>s</s> `c` <kbd>k</kbd> <samp>s</samp> <sub>s</sub> <sup>s</sup>  ',
      'line',
      '',
      '---',
      '',
      '> q',
      '',
      '- u',
      '',
      '1. o',
      '',
      '| a |\n|---|\n| b |',
      '',
      '[a](https://a.example) ![i](https://i.example/i.png)',
      '',
      '```\npre\n```',
      '',
      '<details><summary>s</summary>d</details>'
    ].join('\n');
    const root = render(md).root;
    const seen = new Set(Array.from(root.querySelectorAll('*')).map((el) => el.nodeName.toLowerCase()));
    expect([...seen].sort()).toEqual([...ALLOWED_TAGS].sort());
  });
});

describe('a typical troubleshooting post', () => {
  const post = `# Alaris 8100 — intermittent "Occlusion Downstream" alarm

Seeing this on **three** pumps in the ICU since the last PM cycle. Tubing is fine, no kinks.
Anyone else? Service manual says check the pressure sensor, see [FDA recall notice](https://www.accessdata.fda.gov/scripts/cdrh/cfdocs/cfRES/res.cfm?id=123456).

## Error codes seen

| Code | Message | Count | Notes |
|:-----|:--------|------:|:-----:|
| 255-00-046 | Occlusion downstream | 14 | after ~2h |
| 255-00-112 | Pressure sensor cal | 2 | — |

## Event log excerpt

\`\`\`text
2024-03-02 14:02:11 CH-A RATE=125mL/h VTBI=1000
2024-03-02 16:07:45 ALARM 255-00-046 P_DOWN=<sensor> 17.9psi
2024-03-02 16:07:46 <script>not really a script</script>
\`\`\`

Steps tried:
1. Swapped the module — alarm follows the **PC unit**, not the module
2. Ran the pressure calibration (\`Biomed mode → Cal → P-sensor\`)
3. Checked firmware: \`v9.33\`

> Tip from our CE: check the door latch sensor too.

![display](https://img.example/alarm.jpg)
`;

  it('renders safely with all the pieces in place', () => {
    const { html, root } = render(post);
    expect(root.querySelector('h3')?.textContent).toBe('Alaris 8100 — intermittent "Occlusion Downstream" alarm');
    expect(root.querySelectorAll('h4')).toHaveLength(2);
    expect(root.querySelectorAll('tbody tr')).toHaveLength(2);
    expect(root.querySelector('th:nth-child(3)')?.getAttribute('align')).toBe('right');
    const log = root.querySelector('pre > code.language-text');
    expect(log?.textContent).toContain('P_DOWN=<sensor> 17.9psi');
    expect(log?.textContent).toContain('<script>not really a script</script>');
    expect(root.querySelectorAll('ol > li')).toHaveLength(3);
    expect(root.querySelector('blockquote')?.textContent).toContain('door latch');
    expect(root.querySelector('a')?.getAttribute('href')).toContain('https://www.accessdata.fda.gov/');
    expect(root.querySelector('img')?.getAttribute('loading')).toBe('lazy');
    expect(html).not.toContain('<script');
  });
});

describe('instances and performance', () => {
  it('renders 1,000 times in a loop with stable output', () => {
    const md = '**hi** [x](https://x.example) <img src=x onerror=alert(1)> `code`';
    const first = renderMarkdown(md);
    for (let i = 0; i < 1000; i++) expect(renderMarkdown(md)).toBe(first);
    expect(renderMarkdown('[x](javascript:alert(1))')).toBe('<p><a rel="nofollow noopener ugc">x</a></p>');
  });

  it('renders a 50,000-character realistic post completely', () => {
    const md = realisticPost(50_000);
    expect(md).toHaveLength(50_000);
    const html = renderMarkdown(md);
    expect(html.length).toBeGreaterThan(50_000);
    expectSafe(html);
  });

  it('a 50,000-character markup-dense post still renders safely', () => {
    const block =
      '## Section\n\nSome text with **bold**, `code`, a [link](https://x.example) and <b>html</b>.\n\n' +
      '| a | b |\n|---|---|\n| 1 | 2 |\n\n```js\nconst x = 1 < 2;\n```\n\n- item\n- item\n\n';
    const md = block.repeat(Math.ceil(50_000 / block.length)).slice(0, 50_000);
    const html = renderMarkdown(md);
    expectSafe(html);
  });

  it('createRenderer works with any window and does not touch the global marked', () => {
    const { window } = new JSDOM('');
    const renderer = createRenderer(window as unknown as WindowLike);
    expect(renderer.render('# t\n\n[x](javascript:alert(1))')).toBe('<h3>t</h3>\n<p><a rel="nofollow noopener ugc">x</a></p>');
    expect(globalMarked.parse('# t', { async: false })).toBe('<h1>t</h1>\n');
    expect(globalMarked.parse('a\nb', { async: false })).toBe('<p>a\nb</p>\n');
  });

  it('checkUrl classifies URLs', () => {
    const link = ['http', 'https', 'mailto'];
    expect(checkUrl(' https://a.example ', link, true)).toBe('https://a.example');
    expect(checkUrl('/relative', link, true)).toBe('/relative');
    expect(checkUrl('/relative', ['https'], false)).toBeNull();
    expect(checkUrl('//a.example', link, true)).toBe('https://a.example');
    expect(checkUrl('\tjava\nscript:x', link, true)).toBeNull();
    expect(checkUrl('DATA:text/html,x', link, true)).toBeNull();
    expect(checkUrl('', ['https'], false)).toBeNull();
  });
});

describe('browser entry', () => {
  const source = readFileSync(new URL('./index.ts', import.meta.url), 'utf8');

  it('does not import jsdom or Node-only APIs', () => {
    const imports = [...source.matchAll(/^\s*import\s[^;]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]);
    expect(imports.sort()).toEqual(['dompurify', 'marked']);
    expect(source).not.toMatch(/jsdom|process\.|require\(|['"]node:/);
    expect(source).not.toMatch(/\bimport\s*\(/);
  });
});
