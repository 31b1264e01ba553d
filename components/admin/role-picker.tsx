'use client';
import Checkbox from '@mui/material/Checkbox';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';

export const roleDescriptions = {
  admin: 'Admin — users, clusters and settings of the tenant',
  publisher: 'Publisher — creates, deploys and publishes APIs',
  subscriber: 'Subscriber — developer on the portal',
} as const;

/** A checkbox group posting `roles` once per checked role. */
export function RolePicker({ defaultRoles, errors }: { defaultRoles: string[]; errors?: string[] }) {
  return (
    <FormControl error={!!errors} component="fieldset">
      <FormLabel component="legend">Roles</FormLabel>
      <FormGroup row>
        {Object.entries(roleDescriptions).map(([role, label]) => (
          <FormControlLabel key={role} control={<Checkbox name="roles" value={role} defaultChecked={defaultRoles.includes(role)} />} label={label} />
        ))}
      </FormGroup>
      {errors && <FormHelperText>{errors.join(' ')}</FormHelperText>}
    </FormControl>
  );
}
