'use client';
import MenuItem from '@mui/material/MenuItem';
import TextField from '@mui/material/TextField';
import { usePathname, useRouter } from 'next/navigation';

/** Signed-out visitors choose whose portal to browse; signed-in users stay in their own tenant. */
export function TenantSwitch({ tenants, current }: { tenants: { domain: string; displayName: string }[]; current: string }) {
  const router = useRouter();
  const pathname = usePathname();
  return (
    <TextField
      select
      size="small"
      label="Portal"
      value={current}
      sx={{ minWidth: 200 }}
      fullWidth={false}
      onChange={(event) => router.push(`${pathname}?tenant=${encodeURIComponent(event.target.value)}`)}
    >
      {tenants.map((tenant) => (
        <MenuItem key={tenant.domain} value={tenant.domain}>
          {tenant.displayName}
        </MenuItem>
      ))}
    </TextField>
  );
}
