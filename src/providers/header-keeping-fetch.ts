/**
 * A fetch for the Gemini SDK that remembers the last response's headers. The SDK's ApiError carries only
 * status and body, so retry-after would be lost; and passing our own fetch keeps the SDK off its Undici
 * no-timeout dispatcher, which is missing where Node's fetch is not the global one (jest).
 */
export function headerKeepingFetch(): { fetch: typeof fetch; lastHeaders(): Headers | undefined } {
  let last: Headers | undefined;
  return {
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      last = response.headers;
      return response;
    },
    lastHeaders: () => last,
  };
}
