// pg's conversion of parameter values to text (lib/utils.js), which @types/pg does not declare.
declare module 'pg/lib/utils.js' {
  const utils: {
    /** A parameter's value as pg sends it: null, a Buffer, or text. */
    prepareValue(value: unknown): string | Buffer | null;
  };
  export default utils;
}
