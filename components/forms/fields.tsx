'use client';
import Alert from '@mui/material/Alert';
import Button, { type ButtonProps } from '@mui/material/Button';
import TextField, { type TextFieldProps } from '@mui/material/TextField';
import { useFormStatus } from 'react-dom';
import type { ActionState } from '@/lib/actions/validated-action';

/** A text input wired to its field error: MUI links helper text through aria-describedby. */
export function Field({
  name,
  state,
  ...props
}: { name: string; state: ActionState<unknown> } & Omit<TextFieldProps, 'name' | 'error'>) {
  const errors = state.fieldErrors?.[name];
  const echoed = state.values?.[name];
  return (
    <TextField
      id={props.id ?? `field-${name}`}
      name={name}
      {...props}
      defaultValue={typeof echoed === 'string' ? echoed : props.defaultValue}
      error={!!errors}
      helperText={errors?.join(' ') ?? props.helperText}
    />
  );
}

export function FormMessage({ state, success }: { state: ActionState<unknown>; success?: string }) {
  if (state.status === 'error' && state.message) {
    return (
      <Alert severity="error" role="alert">
        {state.message}
      </Alert>
    );
  }
  if (state.status === 'success' && (state.message ?? success)) {
    return <Alert severity="success">{state.message ?? success}</Alert>;
  }
  return null;
}

export function SubmitButton({ children, ...props }: ButtonProps) {
  const { pending } = useFormStatus();
  return (
    <Button type="submit" variant="contained" disabled={pending || props.disabled} {...props}>
      {pending ? 'Working…' : children}
    </Button>
  );
}
