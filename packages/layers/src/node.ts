/** @edora/layers/node — Node-only helpers (adapter folders on disk). */
export {};
