'use client';
import DarkModeOutlined from '@mui/icons-material/DarkModeOutlined';
import LightModeOutlined from '@mui/icons-material/LightModeOutlined';
import AppBar from '@mui/material/AppBar';
import Avatar from '@mui/material/Avatar';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Container from '@mui/material/Container';
import Divider from '@mui/material/Divider';
import IconButton from '@mui/material/IconButton';
import ListItemText from '@mui/material/ListItemText';
import Menu from '@mui/material/Menu';
import MenuItem from '@mui/material/MenuItem';
import { useColorScheme } from '@mui/material/styles';
import Tab from '@mui/material/Tab';
import Tabs from '@mui/material/Tabs';
import Toolbar from '@mui/material/Toolbar';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, type ReactNode } from 'react';
import type { NavLink, Surface, SurfaceId } from '@/lib/surfaces';

export interface ShellUser {
  displayName: string;
  identifier: string;
  tenantDomain: string;
  roles: string[];
}

function ColorModeToggle() {
  const { mode, systemMode, setMode } = useColorScheme();
  const effective = mode === 'system' ? systemMode : mode;
  const next = effective === 'dark' ? 'light' : 'dark';
  return (
    <Tooltip title={`Switch to ${next} theme`}>
      <IconButton color="inherit" onClick={() => setMode(next)} aria-label={`Switch to ${next} theme`}>
        {effective === 'dark' ? <LightModeOutlined /> : <DarkModeOutlined />}
      </IconButton>
    </Tooltip>
  );
}

function UserMenu({ user, surfaces, signOut }: { user: ShellUser; surfaces: Surface[]; signOut: () => Promise<void> }) {
  const [anchor, setAnchor] = useState<HTMLElement | null>(null);
  return (
    <>
      <IconButton onClick={(event) => setAnchor(event.currentTarget)} aria-label="Account menu" aria-haspopup="menu">
        <Avatar sx={{ width: 32, height: 32, fontSize: 14 }}>{user.displayName.slice(0, 1).toUpperCase()}</Avatar>
      </IconButton>
      <Menu anchorEl={anchor} open={!!anchor} onClose={() => setAnchor(null)}>
        <Box sx={{ px: 2, py: 1 }}>
          <Typography variant="subtitle2">{user.displayName}</Typography>
          <Typography variant="body2" color="text.secondary" data-testid="signed-in-as">
            {user.identifier}
          </Typography>
          <Typography variant="caption" color="text.secondary">
            {user.roles.join(', ')} · {user.tenantDomain}
          </Typography>
        </Box>
        <Divider />
        {surfaces.map((surface) => (
          <MenuItem key={surface.id} component={Link} href={surface.href} onClick={() => setAnchor(null)}>
            <ListItemText>{surface.label}</ListItemText>
          </MenuItem>
        ))}
        <Divider />
        <MenuItem component={Link} href="/account/tokens" onClick={() => setAnchor(null)}>
          <ListItemText>Personal access tokens</ListItemText>
        </MenuItem>
        <form action={signOut}>
          <MenuItem component="button" type="submit" sx={{ width: '100%' }}>
            Sign out
          </MenuItem>
        </form>
      </Menu>
    </>
  );
}

function activeHref(pathname: string, nav: NavLink[]): string | false {
  const match = [...nav].sort((a, b) => b.href.length - a.href.length).find((link) => pathname === link.href || pathname.startsWith(link.href + '/'));
  return match?.href ?? false;
}

export function AppShell({
  surfaceId,
  surfaces,
  user,
  tenantLabel,
  signOut,
  children,
}: {
  surfaceId: SurfaceId;
  surfaces: Surface[];
  user: ShellUser | null;
  tenantLabel?: ReactNode;
  signOut: () => Promise<void>;
  children: ReactNode;
}) {
  const pathname = usePathname();
  const surface = surfaces.find((s) => s.id === surfaceId) ?? surfaces[0]!;
  return (
    <Box sx={{ minHeight: '100vh', display: 'flex', flexDirection: 'column' }}>
      <AppBar position="static" color="default" elevation={0} sx={{ borderBottom: 1, borderColor: 'divider' }}>
        <Toolbar sx={{ gap: 2 }}>
          <Typography component={Link} href="/" variant="h6" sx={{ color: 'inherit', textDecoration: 'none', fontWeight: 700 }}>
            PrivateJet
          </Typography>
          <Typography variant="subtitle1" color="text.secondary" data-testid="surface-name">
            {surface.label}
          </Typography>
          <Tabs value={activeHref(pathname, surface.nav)} sx={{ flexGrow: 1 }} aria-label={`${surface.label} navigation`}>
            {surface.nav.map((link) => (
              <Tab key={link.href} label={link.label} value={link.href} component={Link} href={link.href} />
            ))}
          </Tabs>
          {tenantLabel}
          {surfaces.length > 1 &&
            surfaces
              .filter((s) => s.id !== surfaceId)
              .map((s) => (
                <Button key={s.id} component={Link} href={s.href} size="small">
                  {s.label}
                </Button>
              ))}
          <ColorModeToggle />
          {user ? (
            <UserMenu user={user} surfaces={surfaces} signOut={signOut} />
          ) : (
            <>
              <Button component={Link} href="/signin" variant="outlined" size="small">
                Sign in
              </Button>
              <Button component={Link} href="/signup" variant="contained" size="small">
                Sign up
              </Button>
            </>
          )}
        </Toolbar>
      </AppBar>
      <Container component="main" maxWidth="lg" sx={{ py: 4, flexGrow: 1 }}>
        {children}
      </Container>
    </Box>
  );
}
