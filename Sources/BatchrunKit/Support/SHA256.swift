/// SHA-256 (FIPS 180-4), for the manifest digest in reports and the fingerprints of jobs
/// and input files; small enough not to need a crypto package.
struct SHA256 {
  private static let k: [UInt32] = [
    0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
    0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
    0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
    0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
    0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
    0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
    0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
    0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
  ]

  /// The digest of `bytes` as 64 lower-case hex digits.
  static func hex(_ bytes: [UInt8]) -> String {
    hex(digest(bytes))
  }

  /// `digest` as 64 lower-case hex digits.
  static func hex(_ digest: SIMD32<UInt8>) -> String {
    let digits: StaticString = "0123456789abcdef"
    return String(unsafeUninitializedCapacity: 64) { out in
      digits.withUTF8Buffer { digits in
        for i in 0..<32 {
          out[2 * i] = digits[Int(digest[i] >> 4)]
          out[2 * i + 1] = digits[Int(digest[i] & 0xf)]
        }
      }
      return 64
    }
  }

  /// The 64 hex digits of a digest (either case) as its 32 bytes; `nil` if they are not.
  static func digest(hex digits: UnsafeBufferPointer<UInt8>) -> SIMD32<UInt8>? {
    guard digits.count == 64 else { return nil }
    var digest = SIMD32<UInt8>()
    let valid = withUnsafeMutableBytes(of: &digest) { out in
      hexValues.withUnsafeBufferPointer { values in
        var invalid: UInt8 = 0
        for i in 0..<32 {
          let high = values[Int(digits[2 * i])]
          let low = values[Int(digits[2 * i + 1])]
          invalid |= (high | low) & 0x10
          out[i] = high << 4 | low & 0x0f
        }
        return invalid == 0
      }
    }
    return valid ? digest : nil
  }

  /// Each byte's value as a hex digit, 0x10 for the bytes that are none.
  private static let hexValues: [UInt8] = (0...255).map { byte -> UInt8 in
    switch byte {
    case 0x30...0x39: UInt8(byte - 0x30)
    case 0x61...0x66: UInt8(byte - 0x61 + 10)
    case 0x41...0x46: UInt8(byte - 0x41 + 10)
    default: 0x10
    }
  }

  /// The digest of `bytes`.
  static func digest(_ bytes: [UInt8]) -> SIMD32<UInt8> {
    var h: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
      0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    // The whole 64-byte blocks straight from `bytes`; the rest, the 0x80, the zeros and
    // the length in one or two blocks of a tail buffer.
    let whole = bytes.count / 64 * 64
    var tail = [UInt8](repeating: 0, count: 128)
    let rest = bytes.count - whole
    let tailCount = rest < 56 ? 64 : 128
    k.withUnsafeBufferPointer { k in
      withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
        bytes.withUnsafeBufferPointer { input in
          var chunk = 0
          while chunk < whole {
            compress(UnsafeBufferPointer(rebasing: input[chunk..<chunk + 64]), into: &h, k: k, w: w)
            chunk += 64
          }
          for i in 0..<rest { tail[i] = input[whole + i] }
        }
        tail[rest] = 0x80
        let bitLength = UInt64(bytes.count) &* 8
        for i in 0..<8 { tail[tailCount - 1 - i] = UInt8(truncatingIfNeeded: bitLength >> UInt64(i * 8)) }
        tail.withUnsafeBufferPointer { tail in
          var chunk = 0
          while chunk < tailCount {
            compress(UnsafeBufferPointer(rebasing: tail[chunk..<chunk + 64]), into: &h, k: k, w: w)
            chunk += 64
          }
        }
      }
    }
    var digest = SIMD32<UInt8>()
    for (i, word) in [h.0, h.1, h.2, h.3, h.4, h.5, h.6, h.7].enumerated() {
      for j in 0..<4 { digest[4 * i + j] = UInt8(truncatingIfNeeded: word >> UInt32(24 - 8 * j)) }
    }
    return digest
  }

  /// One round of the compression function over the 64-byte `block`.
  @inline(__always)
  private static func compress(
    _ block: UnsafeBufferPointer<UInt8>,
    into h: inout (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32),
    k: UnsafeBufferPointer<UInt32>, w: UnsafeMutableBufferPointer<UInt32>
  ) {
    for i in 0..<16 {
      let j = i * 4
      w[i] =
        UInt32(block[j]) << 24 | UInt32(block[j + 1]) << 16 | UInt32(block[j + 2]) << 8 | UInt32(block[j + 3])
    }
    for i in 16..<64 {
      let s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)
      let s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10)
      w[i] = w[i - 16] &+ s0 &+ w[i - 7] &+ s1
    }
    var (a, b, c, d, e, f, g, hh) = h
    for i in 0..<64 {
      let s1 = rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)
      let choice = (e & f) ^ (~e & g)
      let t1 = hh &+ s1 &+ choice &+ k[i] &+ w[i]
      let s0 = rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)
      let majority = (a & b) ^ (a & c) ^ (b & c)
      let t2 = s0 &+ majority
      (hh, g, f, e, d, c, b, a) = (g, f, e, d &+ t1, c, b, a, t1 &+ t2)
    }
    h = (h.0 &+ a, h.1 &+ b, h.2 &+ c, h.3 &+ d, h.4 &+ e, h.5 &+ f, h.6 &+ g, h.7 &+ hh)
  }

  @inline(__always)
  private static func rotr(_ x: UInt32, _ n: UInt32) -> UInt32 { x >> n | x << (32 - n) }
}
