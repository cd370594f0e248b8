import { runConformance } from '@edora/tensor/conformance';
import { TemplateBackend } from '../src/index.js';

// The whole suite, as every backend runs it: the template's own kernels and the host fallback.
runConformance({ name: 'template', create: () => new TemplateBackend('template-conformance') });
