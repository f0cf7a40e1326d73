/** The EndpointError a call failed with, asserted to be one (a call that succeeds fails the test). */
import { expect } from 'vitest';
import { EndpointError } from '../../src/errors.js';

export async function failureOf(promise: Promise<unknown>): Promise<EndpointError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(EndpointError);
  return error as EndpointError;
}
