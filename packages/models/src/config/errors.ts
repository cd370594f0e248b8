import { EdoraError } from '@edora/tensor';

/**
 * A model config that cannot describe a working model: a required field is absent, a value has the
 * wrong type or range, or two fields disagree. `field` names the config.json key at fault.
 */
export class ConfigError extends EdoraError {
  readonly field: string;
  constructor(field: string, message: string) {
    super('E_CONFIG', message);
    this.field = field;
  }
}
