import { registerBackend } from '@edora/tensor';
import { TemplateBackend } from './backend.js';

/**
 * Importing this module registers the backend as "template" (what `edora --backend
 * <package name>` imports). Priority 0: it never becomes the default over cpu or wasm by itself.
 */
registerBackend('template', () => new TemplateBackend(), { priority: 0 });
