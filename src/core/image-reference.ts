/** The tag of an image reference (`…/llama.cpp:server-b8840[@sha256:…]`), if it has one. */
export function imageTag(image: string): string | undefined {
  const name = image.split('@')[0];
  const lastSegment = name.slice(name.lastIndexOf('/') + 1);
  const colon = lastSegment.lastIndexOf(':');
  return colon >= 0 ? lastSegment.slice(colon + 1) : undefined;
}
