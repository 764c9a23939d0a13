// Task code for squares.yaml. It runs in a volunteer's tab (a Web Worker), once per item:
// the default export gets the item (and a `ctx`, unused here) and returns its output.
export default function square(x) {
  if (typeof x !== 'number') throw new TypeError(`expected a number, got ${typeof x}`);
  return x * x;
}
