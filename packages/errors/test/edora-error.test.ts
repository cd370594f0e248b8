import { describe, expect, it } from 'vitest';
import { EdoraError } from '@edora/errors';

class ExampleError extends EdoraError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('E_EXAMPLE', message, options);
  }
}

describe('EdoraError', () => {
  it('carries its code, its message, the subclass name and the cause', () => {
    const cause = new Error('underlying');
    const err = new ExampleError('expected 3 columns, found 2', { cause });
    expect(err).toBeInstanceOf(EdoraError);
    expect(err).toBeInstanceOf(Error);
    expect(err.code).toBe('E_EXAMPLE');
    expect(err.message).toBe('expected 3 columns, found 2');
    expect(err.name).toBe('ExampleError');
    expect(err.cause).toBe(cause);
    expect(String(err)).toBe('ExampleError: expected 3 columns, found 2');
  });

  it('is not claimed by unrelated errors', () => {
    const plain = Object.assign(new Error('x'), { code: 'E_EXAMPLE' });
    expect(plain).not.toBeInstanceOf(EdoraError);
  });
});
