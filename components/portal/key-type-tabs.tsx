'use client';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import { useState, type ReactNode } from 'react';
import type { KeyType } from '@/lib/key-types';

/**
 * An application's two key pairs as tabs, as WSO2's portal shows them: production first. Only the
 * chosen pair is on the page, so each keeps the same labels and buttons without repeating them.
 */
export function KeyTypeTabs({ production, sandbox, initial = 'PRODUCTION' }: { production: ReactNode; sandbox: ReactNode; initial?: KeyType }) {
  const [keyType, setKeyType] = useState(initial);
  return (
    <Stack spacing={2}>
      <Tabs value={keyType} onChange={(_, value: KeyType) => setKeyType(value)} aria-label="Key type">
        <Tab value="PRODUCTION" label="Production keys" id="key-tab-production" aria-controls="key-panel" />
        <Tab value="SANDBOX" label="Sandbox keys" id="key-tab-sandbox" aria-controls="key-panel" />
      </Tabs>
      <Stack spacing={3} role="tabpanel" id="key-panel" aria-labelledby={keyType === 'SANDBOX' ? 'key-tab-sandbox' : 'key-tab-production'}>
        {keyType === 'SANDBOX' ? sandbox : production}
      </Stack>
    </Stack>
  );
}
