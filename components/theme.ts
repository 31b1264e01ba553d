'use client';
import { createTheme } from '@mui/material/styles';

// System fonts: nothing to download at build time or in the browser.
export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'class' },
  colorSchemes: {
    // Warning and success text on white needs darker tones than MUI's defaults for a 4.5:1 contrast (WCAG AA).
    light: { palette: { primary: { main: '#1d4ed8' }, secondary: { main: '#0f766e' }, warning: { main: '#b45309' }, success: { main: '#15803d' }, info: { main: '#0369a1' }, background: { default: '#f6f7fb' } } },
    // Light tones in dark mode, so filled chips and buttons take dark text.
    dark: { palette: { primary: { main: '#93b4ff' }, secondary: { main: '#5eead4' }, error: { main: '#ff8a80' } } },
  },
  shape: { borderRadius: 8 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
    h1: { fontSize: '1.75rem', fontWeight: 600 },
    h2: { fontSize: '1.35rem', fontWeight: 600 },
    h3: { fontSize: '1.1rem', fontWeight: 600 },
  },
  components: {
    MuiButton: { defaultProps: { disableElevation: true }, styleOverrides: { root: { textTransform: 'none' } } },
    MuiTextField: { defaultProps: { size: 'small', fullWidth: true } },
    // A read-only field's explanation is still read: it keeps the normal secondary tone (WCAG AA contrast).
    MuiFormHelperText: { styleOverrides: { root: ({ theme }) => ({ '&.Mui-disabled': { color: theme.vars?.palette.text.secondary ?? theme.palette.text.secondary } }) } },
    MuiPaper: { defaultProps: { variant: 'outlined' } },
  },
});
