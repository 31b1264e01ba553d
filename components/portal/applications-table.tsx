import Chip from '@mui/material/Chip';
import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import { TextLink } from '../link-button';

export interface ApplicationRow {
  id: string;
  name: string;
  tier: string;
  description: string;
  hasProductionKeys: boolean;
}

export function ApplicationsTable({ applications }: { applications: ApplicationRow[] }) {
  return (
    <TableContainer component={Paper}>
      <Table aria-label="Your applications">
        <TableHead>
          <TableRow>
            <TableCell>Application</TableCell>
            <TableCell>Tier</TableCell>
            <TableCell>Production keys</TableCell>
            <TableCell>Description</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {applications.map((application) => (
            <TableRow key={application.id} data-testid={`application-row-${application.name}`}>
              <TableCell>
                <TextLink href={`/portal/applications/${application.id}`}>{application.name}</TextLink>
              </TableCell>
              <TableCell>{application.tier}</TableCell>
              <TableCell>
                {application.hasProductionKeys ? <Chip size="small" color="success" label="generated" /> : <Chip size="small" label="not yet" />}
              </TableCell>
              <TableCell>{application.description || '—'}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
