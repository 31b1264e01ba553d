// RFC 8414 §3.1: the issuer has a path (/oauth2/token), which goes after the well-known name.
export { GET } from '../../route';

export const dynamic = 'force-dynamic';
