export { TemplateBackend } from './backend.js';
