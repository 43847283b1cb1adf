/**
 * The CDN entry: registers every element and exposes the API. Built to `dist/cdn/comms-kit.js`
 * (ES module) and `dist/cdn/comms-kit.iife.js` (global `CommsKit`).
 */
import './components/all.js';

export * from './index.js';
