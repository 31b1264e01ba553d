'use client';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Collapse from '@mui/material/Collapse';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useState } from 'react';
import type { SetupStep } from '@/lib/containers/rbac';

export function SetupGuide({ steps }: { steps: SetupStep[] }) {
  const [open, setOpen] = useState(false);
  return (
    <Box>
      <Button onClick={() => setOpen(!open)} aria-expanded={open}>
        {open ? 'Hide setup guide' : 'Show setup guide'}
      </Button>
      <Collapse in={open}>
        <Stack spacing={2} sx={{ mt: 1 }}>
          {steps.map((step, index) => (
            <Box key={step.title}>
              <Typography variant="subtitle1">
                {index + 1}. {step.title}
              </Typography>
              <Typography variant="body2" color="text.secondary">
                {step.explanation}
              </Typography>
              <Box component="pre" sx={{ p: 1.5, bgcolor: 'action.hover', borderRadius: 1, overflowX: 'auto', fontSize: 13 }}>
                {step.commands}
              </Box>
              <Button size="small" onClick={() => navigator.clipboard.writeText(step.commands)}>
                Copy
              </Button>
            </Box>
          ))}
        </Stack>
      </Collapse>
    </Box>
  );
}
