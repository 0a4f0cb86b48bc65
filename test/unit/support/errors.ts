import { OrchestraError } from '../../../extension/engine/util/errors';

/** The OrchestraError a promise rejects with; fails the test if it resolves or rejects with anything else. */
export async function rejection(promise: Promise<unknown>): Promise<OrchestraError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof OrchestraError) return error;
    throw error;
  }
  throw new Error('expected the promise to reject');
}

/** The OrchestraError a call throws; fails the test if it returns or throws anything else. */
export function thrown(action: () => unknown): OrchestraError {
  try {
    action();
  } catch (error) {
    if (error instanceof OrchestraError) return error;
    throw error;
  }
  throw new Error('expected the call to throw');
}
