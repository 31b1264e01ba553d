'use client';
import CheckOutlined from '@mui/icons-material/CheckOutlined';
import ContentCopyOutlined from '@mui/icons-material/ContentCopyOutlined';
import IconButton from '@mui/material/IconButton';
import Tooltip from '@mui/material/Tooltip';
import { useState } from 'react';

/** Copies a value to the clipboard; `label` names what is copied, for screen readers. */
export function CopyButton({ value, label, disabled }: { value: string; label: string; disabled?: boolean }) {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // Clipboard access can be refused (insecure origin, permissions); the value stays selectable on the page.
    }
  }
  return (
    <Tooltip title={copied ? 'Copied' : `Copy ${label}`}>
      <span>
        <IconButton size="small" onClick={copy} aria-label={`Copy ${label}`} disabled={disabled}>
          {copied ? <CheckOutlined fontSize="small" /> : <ContentCopyOutlined fontSize="small" />}
        </IconButton>
      </span>
    </Tooltip>
  );
}
