import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SafeMarkdown } from './safe-markdown';

const render = (markdown: string) => renderToStaticMarkup(createElement(SafeMarkdown, { markdown }));

describe('publisher Markdown as developers see it', () => {
  it('renders no raw HTML: a script, an inline handler or an iframe never becomes an element', () => {
    const html = render('Hello <script>alert(1)</script>\n\n<img src=x onerror="alert(2)">\n\n<iframe src="https://evil.example"></iframe>\n\n<b onmouseover="alert(3)">bold?</b>');
    expect(html).not.toMatch(/<script|<iframe|<img|<b[ >]|onerror|onmouseover/i);
    expect(html).toContain('Hello');
  });

  it('keeps http, https and mailto links, opening them with noopener noreferrer nofollow', () => {
    const html = render('[Guide](https://docs.example.com/guide) and [mail](mailto:team@example.com)');
    expect(html).toContain('<a href="https://docs.example.com/guide" rel="noopener noreferrer nofollow" target="_blank">Guide</a>');
    expect(html).toContain('<a href="mailto:team@example.com" rel="noopener noreferrer nofollow" target="_blank">mail</a>');
  });

  it('turns a javascript:, data: or relative link into plain text', () => {
    const html = render('[click](javascript:alert(1)) [data](data:text/html,x) [home](/admin) <javascript:alert(1)>');
    expect(html).not.toMatch(/<a[ >]|href=/);
    expect(html).toContain('click');
    expect(html).toContain('home');
  });

  it('does not load images: their alt text is shown instead', () => {
    const html = render('![Sequence diagram](https://tracker.example/pixel.png)');
    expect(html).not.toMatch(/<img|tracker\.example/);
    expect(html).toContain('[image: Sequence diagram]');
  });

  it('renders GitHub tables and starts headings at level 3, under the page and section headings', () => {
    const html = render('# Getting started\n\n| Field | Meaning |\n|---|---|\n| id | The pet |');
    expect(html).toContain('<h3>Getting started</h3>');
    expect(html).toMatch(/<table>[\s\S]*<td>id<\/td>/);
  });
});
