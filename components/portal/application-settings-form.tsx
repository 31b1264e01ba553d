'use client';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { useActionState, useState, useTransition } from 'react';
import type { ActionState } from '@/lib/actions/validated-action';
import { FormMessage, SubmitButton } from '../forms/fields';
import { ApplicationFields } from './application-fields';

/** Edit name, tier and description; delete the application with a confirmation. */
export function ApplicationSettingsForm({
  application,
  update,
  remove,
}: {
  application: { id: string; name: string; tier: string; description: string };
  update: (state: ActionState, formData: FormData) => Promise<ActionState>;
  remove: (applicationId: string) => Promise<ActionState<unknown>>;
}) {
  const [state, formAction] = useActionState(update, { status: 'idle' });
  const [confirming, setConfirming] = useState(false);
  const [deleteError, setDeleteError] = useState<string | null>(null);
  const [deleting, startDelete] = useTransition();

  function confirmDelete() {
    setDeleteError(null);
    startDelete(async () => {
      const result = await remove(application.id);
      // On success the action redirects to the list; only a refusal comes back here.
      if (result.status === 'error') {
        setDeleteError(result.message ?? 'The application could not be deleted.');
        setConfirming(false);
      }
    });
  }

  return (
    <Paper sx={{ p: 3 }} component="section" aria-labelledby="application-settings-heading">
      <form action={formAction} noValidate>
        <input type="hidden" name="applicationId" value={application.id} />
        <Stack spacing={2}>
          <Typography variant="h2" id="application-settings-heading">
            Application
          </Typography>
          <FormMessage state={state} />
          {deleteError && <Alert severity="error">{deleteError}</Alert>}
          <ApplicationFields state={state} defaults={application} />
          <Stack direction="row" spacing={1}>
            <SubmitButton>Save</SubmitButton>
            <Button color="error" onClick={() => setConfirming(true)}>
              Delete application
            </Button>
          </Stack>
        </Stack>
      </form>
      <Dialog open={confirming} onClose={() => setConfirming(false)} aria-labelledby="delete-application-title">
        <DialogTitle id="delete-application-title">Delete {application.name}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Its keys, subscriptions and token records are deleted with it. Opaque tokens stop working at once; JWT access tokens already
            issued are checked offline by gateways and work until they expire.
          </DialogContentText>
        </DialogContent>
        <DialogActions>
          <Button onClick={() => setConfirming(false)}>Cancel</Button>
          <Button color="error" variant="contained" disabled={deleting} onClick={confirmDelete}>
            {deleting ? 'Deleting…' : 'Delete'}
          </Button>
        </DialogActions>
      </Dialog>
    </Paper>
  );
}
