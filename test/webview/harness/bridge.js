// The harness's stand-in for VS Code inside the page (inlined with the CSP nonce, before the
// bundle): acquireVsCodeApi forwards to the test through the exposed __harnessPost binding, and
// the test's replies arrive through window.postMessage, as in a real webview. Typed arrays travel
// as {__typed, base64}, mirroring harness/typedCodec.ts on the Node side.
(() => {
  const constructors = { Float32Array, Float64Array, Int32Array, Uint8Array, Uint8ClampedArray };

  function toBase64(bytes) {
    let binary = '';
    for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(binary);
  }

  function encode(value) {
    if (ArrayBuffer.isView(value)) return { __typed: value.constructor.name, base64: toBase64(new Uint8Array(value.buffer, value.byteOffset, value.byteLength)) };
    if (Array.isArray(value)) return value.map(encode);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, encode(entry)]));
    return value;
  }

  function decode(value) {
    if (value !== null && typeof value === 'object' && typeof value.__typed === 'string' && value.__typed in constructors) {
      const binary = atob(value.base64);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return new constructors[value.__typed](bytes.buffer);
    }
    if (Array.isArray(value)) return value.map(decode);
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, decode(entry)]));
    return value;
  }

  let state = JSON.parse(document.getElementById('harness-state').textContent);
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('acquireVsCodeApi may only be called once');
    acquired = true;
    return {
      postMessage: (message) => window.__harnessPost({ kind: 'message', message: encode(message) }),
      getState: () => state,
      setState: (next) => {
        state = next;
        window.__harnessPost({ kind: 'state', state: encode(next) });
      },
    };
  };
  window.__harnessDeliver = (message) => window.postMessage(decode(message), '*');
  document.addEventListener('securitypolicyviolation', (event) =>
    window.__harnessPost({ kind: 'csp', directive: event.violatedDirective, blocked: event.blockedURI, sample: event.sample }),
  );
})();
