// libqp ships no type declarations; these cover the functions Heron calls.
declare module 'libqp' {
  export function decode(input: string): Buffer;
  export function encode(input: Buffer | string): string;
  export function wrap(input: string, lineLength?: number): string;
  const libqp: { decode: typeof decode; encode: typeof encode; wrap: typeof wrap };
  export default libqp;
}
