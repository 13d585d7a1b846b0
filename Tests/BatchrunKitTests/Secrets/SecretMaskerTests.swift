@testable import BatchrunKit
import Testing

@Suite("Masking secrets")
struct SecretMaskerTests {
  let masker = SecretMasker(values: ["hunter2!", "abc", "s3cr3t", "s3cr3t-longer"])

  @Test("Values become ***; those under 4 characters stay; the longest match at a place wins")
  func whole() {
    #expect(masker.mask("pw=hunter2! abc s3cr3t s3cr3t-longer.") == "pw=*** abc *** ***.")
    #expect(masker.mask("hunter2!hunter2!") == "******")
    #expect(SecretMasker(values: ["abc"]).isEmpty)
  }

  @Test("JSON and XML escapes of a value are masked too")
  func escaped() {
    let quoting = SecretMasker(values: ["a\"b<c>\\d"])
    #expect(quoting.mask(#"{"x": "a\"b<c>\\d"}"#) == #"{"x": "***"}"#)
    #expect(quoting.mask("<x>a&quot;b&lt;c&gt;\\d</x>") == "<x>***</x>")
  }

  /// `text` fed to a stream in pieces of `size` bytes.
  func streamed(_ text: String, pieces size: Int) -> String {
    var stream = SecretMasker.Stream(masker)
    var out: [UInt8] = []
    let bytes = Array(text.utf8)
    var start = 0
    while start < bytes.count {
      stream.feed(bytes[start..<min(bytes.count, start + size)]) { out += $0 }
      start += size
    }
    stream.finish { out += $0 }
    return String(decoding: out, as: UTF8.self)
  }

  @Test("A stream gives the same, however it is cut: a byte at a time, or any piece size", arguments: 1...16)
  func stream(_ size: Int) {
    let text = "x hunter2! y s3cr3t-longer z s3cr3t\nhunter2"
    #expect(streamed(text, pieces: size) == "x *** y *** z ***\nhunter2")
  }

  @Test("The end of a stream that is not a value is passed on at the end, not lost")
  func tail() {
    #expect(streamed("ends with hunt", pieces: 3) == "ends with hunt")
    #expect(streamed("", pieces: 3) == "")
  }

  @Test("One value (the fast path): the same however the stream is cut", arguments: [1, 2, 3, 7, 64])
  func oneValue(_ size: Int) {
    let single = SecretMasker(values: ["tok-1234"])
    #expect(single.patterns.count == 1)
    var stream = SecretMasker.Stream(single)
    var out: [UInt8] = []
    let bytes = Array("tok-1234tok-1234 tok-123 xtok-1234y tok-12".utf8)
    var start = 0
    while start < bytes.count {
      stream.feed(bytes[start..<min(bytes.count, start + size)]) { out += $0 }
      start += size
    }
    stream.finish { out += $0 }
    #expect(String(decoding: out, as: UTF8.self) == "****** tok-123 x***y tok-12")
  }
}
