/** `custom-elements.json`, served by the Vite plugin in `.storybook/vite.config.ts`. */
declare module 'comms-kit:manifest' {
  const manifest: object;
  export default manifest;
}
