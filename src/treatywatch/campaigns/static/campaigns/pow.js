/* TreatyWatch signing form: self-hosted proof of work (no third-party CAPTCHA).
 * Finds a nonce such that SHA-256(challenge + ":" + nonce) starts with `data-pow-bits` zero bits and
 * puts it in the hidden `pow_nonce` field; the server checks it (campaigns/antispam.py). Without
 * JavaScript the form still works through the honeypot and time-trap path.
 * SHA-256 below follows FIPS 180-4; written for this file, public domain. */
(function () {
  "use strict";
  var K = [0x428a2f98,0x71374491,0xb5c0fbcf,0xe9b5dba5,0x3956c25b,0x59f111f1,0x923f82a4,0xab1c5ed5,
    0xd807aa98,0x12835b01,0x243185be,0x550c7dc3,0x72be5d74,0x80deb1fe,0x9bdc06a7,0xc19bf174,
    0xe49b69c1,0xefbe4786,0x0fc19dc6,0x240ca1cc,0x2de92c6f,0x4a7484aa,0x5cb0a9dc,0x76f988da,
    0x983e5152,0xa831c66d,0xb00327c8,0xbf597fc7,0xc6e00bf3,0xd5a79147,0x06ca6351,0x14292967,
    0x27b70a85,0x2e1b2138,0x4d2c6dfc,0x53380d13,0x650a7354,0x766a0abb,0x81c2c92e,0x92722c85,
    0xa2bfe8a1,0xa81a664b,0xc24b8b70,0xc76c51a3,0xd192e819,0xd6990624,0xf40e3585,0x106aa070,
    0x19a4c116,0x1e376c08,0x2748774c,0x34b0bcb5,0x391c0cb3,0x4ed8aa4a,0x5b9cca4f,0x682e6ff3,
    0x748f82ee,0x78a5636f,0x84c87814,0x8cc70208,0x90befffa,0xa4506ceb,0xbef9a3f7,0xc67178f2];
  var W = new Uint32Array(64);

  function rotr(x, n) { return (x >>> n) | (x << (32 - n)); }

  /* SHA-256 of a byte array, as eight 32-bit words. */
  function sha256(bytes) {
    var length = bytes.length, blocks = (length + 9 + 63) >> 6, buf = new Uint8Array(blocks * 64);
    buf.set(bytes);
    buf[length] = 0x80;
    var bits = length * 8, end = buf.length;
    buf[end - 4] = bits >>> 24; buf[end - 3] = bits >>> 16; buf[end - 2] = bits >>> 8; buf[end - 1] = bits;
    var H = [0x6a09e667,0xbb67ae85,0x3c6ef372,0xa54ff53a,0x510e527f,0x9b05688c,0x1f83d9ab,0x5be0cd19];
    for (var block = 0; block < blocks; block++) {
      var o = block * 64, i;
      for (i = 0; i < 16; i++) {
        W[i] = (buf[o + 4 * i] << 24) | (buf[o + 4 * i + 1] << 16) | (buf[o + 4 * i + 2] << 8) | buf[o + 4 * i + 3];
      }
      for (i = 16; i < 64; i++) {
        var x = W[i - 15], y = W[i - 2];
        var s0 = rotr(x, 7) ^ rotr(x, 18) ^ (x >>> 3), s1 = rotr(y, 17) ^ rotr(y, 19) ^ (y >>> 10);
        W[i] = (W[i - 16] + s0 + W[i - 7] + s1) | 0;
      }
      var a = H[0], b = H[1], c = H[2], d = H[3], e = H[4], f = H[5], g = H[6], h = H[7];
      for (i = 0; i < 64; i++) {
        var t1 = (h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + W[i]) | 0;
        var t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
        h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
      }
      H[0] = (H[0] + a) | 0; H[1] = (H[1] + b) | 0; H[2] = (H[2] + c) | 0; H[3] = (H[3] + d) | 0;
      H[4] = (H[4] + e) | 0; H[5] = (H[5] + f) | 0; H[6] = (H[6] + g) | 0; H[7] = (H[7] + h) | 0;
    }
    return H;
  }

  function zeroBits(words) {
    var count = 0;
    for (var i = 0; i < words.length; i++) {
      var z = Math.clz32(words[i]);
      count += z;
      if (z < 32) break;
    }
    return count;
  }

  var form = document.querySelector("form[data-pow]");
  if (!form || !window.TextEncoder) return;
  var needed = parseInt(form.getAttribute("data-pow-bits"), 10);
  var challenge = form.querySelector("[name=challenge]").value;
  var field = form.querySelector("[name=pow_nonce]");
  var status = document.getElementById("pow-status");
  var encoder = new TextEncoder(), nonce = 0, found = false, waiting = false;

  function search() {
    for (var stop = nonce + 4000; nonce < stop; nonce++) {
      if (zeroBits(sha256(encoder.encode(challenge + ":" + nonce))) >= needed) {
        found = true;
        field.value = String(nonce);
        if (waiting) form.submit();
        return;
      }
    }
    setTimeout(search, 0);  /* yield to the page between batches */
  }

  form.addEventListener("submit", function (event) {
    if (found) return;
    event.preventDefault();
    waiting = true;
    if (status) status.textContent = status.getAttribute("data-working") || "…";
  });
  search();
})();
