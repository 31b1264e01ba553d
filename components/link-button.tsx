'use client';
import Button, { type ButtonProps } from '@mui/material/Button';
import MuiLink, { type LinkProps as MuiLinkProps } from '@mui/material/Link';
import NextLink from 'next/link';

/**
 * MUI button and link that navigate client-side; usable from server components. `fullPageLoad`
 * loads the target as a new document instead, for a page whose Content-Security-Policy differs
 * (a client-side navigation keeps the policy of the page it started from).
 */
export function LinkButton({ href, fullPageLoad, ...props }: ButtonProps & { href: string; fullPageLoad?: boolean }) {
  if (fullPageLoad) return <Button href={href} {...props} />;
  return <Button component={NextLink} href={href} {...props} />;
}

export function TextLink({ href, ...props }: MuiLinkProps & { href: string }) {
  return <MuiLink component={NextLink} href={href} {...props} />;
}
