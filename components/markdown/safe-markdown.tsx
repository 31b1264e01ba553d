import Box from '@mui/material/Box';
import type { ComponentProps } from 'react';
import Markdown, { type Components } from 'react-markdown';
import remarkGfm from 'remark-gfm';
import { PUBLISHER_LINK_REL, safeLinkUrl } from '@/lib/markdown/link-policy';

/**
 * Markdown written by a publisher, rendered for developers. Safe by construction rather than by
 * filtering: raw HTML in the text is skipped (no rehype-raw, so `<script>` never becomes an
 * element), links keep only http, https and mailto targets (lib/markdown/link-policy.ts) and open
 * with rel="noopener noreferrer nofollow", and images are not loaded at all — their alt text is
 * shown instead, so a guide cannot make a developer's browser call a third party.
 * Headings start at level 3: the guide sits under the page's h1 and its section's h2.
 */

function SafeLink({ href, children }: ComponentProps<'a'>) {
  const target = safeLinkUrl(href);
  if (!target) return <span data-refused-link="">{children}</span>;
  return (
    <a href={target} rel={PUBLISHER_LINK_REL} target="_blank">
      {children}
    </a>
  );
}

function ImageAsText({ alt }: ComponentProps<'img'>) {
  return alt ? <em>[image: {alt}]</em> : null;
}

const components: Components = {
  a: SafeLink,
  img: ImageAsText,
  h1: ({ children }) => <h3>{children}</h3>,
  h2: ({ children }) => <h4>{children}</h4>,
  h3: ({ children }) => <h5>{children}</h5>,
  h4: ({ children }) => <h6>{children}</h6>,
  h5: ({ children }) => <h6>{children}</h6>,
};

/** react-markdown's own URL hook runs first; ours refuses what the policy refuses, so nothing unsafe reaches a component. */
const urlTransform = (url: string) => safeLinkUrl(url) ?? '';

export function SafeMarkdown({ markdown, testId }: { markdown: string; testId?: string }) {
  return (
    <Box
      data-testid={testId}
      sx={{
        overflowWrap: 'anywhere',
        '& h3, & h4, & h5, & h6': { mt: 2, mb: 1, lineHeight: 1.3 },
        '& h3': { fontSize: '1.25rem' },
        '& h4': { fontSize: '1.1rem' },
        '& h5, & h6': { fontSize: '1rem' },
        '& p, & ul, & ol, & table, & pre, & blockquote': { mt: 0, mb: 1.5 },
        '& a': { color: 'primary.main' },
        '& code': { fontFamily: 'ui-monospace, monospace', fontSize: '0.9em', bgcolor: 'action.hover', px: 0.5, borderRadius: 0.5 },
        '& pre': { p: 1.5, overflowX: 'auto', bgcolor: 'action.hover', borderRadius: 1 },
        '& pre code': { px: 0, bgcolor: 'transparent' },
        '& blockquote': { borderLeft: 4, borderColor: 'divider', pl: 2, ml: 0, color: 'text.secondary' },
        '& table': { borderCollapse: 'collapse', display: 'block', overflowX: 'auto' },
        '& th, & td': { border: 1, borderColor: 'divider', px: 1, py: 0.5, textAlign: 'left' },
      }}
    >
      <Markdown remarkPlugins={[remarkGfm]} skipHtml urlTransform={urlTransform} components={components}>
        {markdown}
      </Markdown>
    </Box>
  );
}
