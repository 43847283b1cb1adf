/**
 * The IIFE's entry (`dist/cdn/comms-kit.iife.js`, global `CommsKit`): the CDN entry and the
 * in-page backend (`CommsKit.createLocalHub`, `CommsKit.scriptUser`). A classic script cannot
 * load chunks or share a core with a second file, so the IIFE carries everything; the ES
 * module leaves the in-page backend to `dist/cdn/local.js`.
 */
export * from './cdn.js';
export * from './core/local.js';
