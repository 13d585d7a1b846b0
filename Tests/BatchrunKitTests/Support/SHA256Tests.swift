@testable import BatchrunKit
import Foundation
import Testing

@Suite("SHA256")
struct SHA256Tests {
  @Test(
    "Known vectors",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
      ("caf\u{E9} \u{2713}", "3c15bbb0672ec7f843be05677dce1b0c2fb7e64a16618e498decbbdf3b6cd6e2"),
    ])
  func vectors(_ text: String, _ digest: String) {
    #expect(SHA256.hex(Array(text.utf8)) == digest)
  }

  @Test(
    "Lengths around the padding boundaries",
    arguments: [
      (55, "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318"),
      (56, "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a"),
      (63, "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34"),
      (64, "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb"),
      (65, "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0"),
      (1_000_000, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
    ])
  func repeatedA(_ count: Int, _ digest: String) {
    #expect(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: count)) == digest)
  }

  @Test("Hex digits read back as the digest; anything but 64 hex digits does not")
  func hexRoundTrip() {
    func digest(hex: String) -> SIMD32<UInt8>? {
      Array(hex.utf8).withUnsafeBufferPointer { SHA256.digest(hex: $0) }
    }
    let bytes = Array("abc".utf8)
    let hex = SHA256.hex(bytes)
    #expect(digest(hex: hex) == SHA256.digest(bytes))
    #expect(digest(hex: hex.uppercased()) == SHA256.digest(bytes))
    #expect(SHA256.hex(SHA256.digest(bytes)) == hex)
    #expect(digest(hex: String(hex.dropLast())) == nil)
    #expect(digest(hex: hex.dropLast() + "g") == nil)
    #expect(digest(hex: hex + "0") == nil)
  }
}
