import { notFound } from 'next/navigation';
import { AppError } from '../errors';

/** For pages: a domain "not found" (including another tenant's object) renders the 404 page rather than an error. */
export async function orNotFound<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    if (error instanceof AppError && error.kind === 'not_found') notFound();
    throw error;
  }
}
