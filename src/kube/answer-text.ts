/**
 * The JSON text an API server answered a write with, kept beside the object
 * decoded from it for as long as that object lives. The server sends the
 * same object, byte for byte, in the watch event that echoes the write: an
 * informer that took the answer into its cache can recognise the echo by its
 * text and leave it undecoded (see Informer.recordWrite).
 */
const texts = new WeakMap<object, string>();

/** Keeps `text` (without the trailing newline servers add) as the text of `obj`. */
export function rememberAnswerText(obj: object, text: string): void {
  texts.set(obj, text.endsWith('\n') ? text.slice(0, -1) : text);
}

/** The text `obj` was decoded from, if it is the answer to one of our writes. */
export function answerText(obj: object): string | undefined {
  return texts.get(obj);
}
