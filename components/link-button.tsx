'use client';
import Button, { type ButtonProps } from '@mui/material/Button';
import MuiLink, { type LinkProps as MuiLinkProps } from '@mui/material/Link';
import NextLink from 'next/link';

/** MUI button and link that navigate client-side; usable from server components. */
export function LinkButton({ href, ...props }: ButtonProps & { href: string }) {
  return <Button component={NextLink} href={href} {...props} />;
}

export function TextLink({ href, ...props }: MuiLinkProps & { href: string }) {
  return <MuiLink component={NextLink} href={href} {...props} />;
}
