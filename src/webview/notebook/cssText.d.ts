// The renderer's build loads .css files as text (esbuild.mjs): a notebook renderer is one ES module,
// with no stylesheet of its own, so it injects its styles itself.
declare module '*.css' {
  const text: string;
  export default text;
}
