/// A console that masks secrets in everything it is given before passing it on.
struct MaskingConsoleSink: ConsoleSink {
  let base: any ConsoleSink
  let masker: SecretMasker

  init(_ base: any ConsoleSink, masker: SecretMasker) {
    self.base = base
    self.masker = masker
  }

  func write(_ text: String, droppable: Bool) -> Bool {
    base.write(masker.mask(text), droppable: droppable)
  }

  var hasRoom: Bool { base.hasRoom }

  var descriptor: Int32? { base.descriptor }
}

extension SecretMasker {
  /// `text`, which hands its bytes over in pieces, masked as a whole.
  func masking(_ text: @escaping RunStore.Text) -> RunStore.Text {
    guard !isEmpty else { return text }
    return { emit in
      var stream = Stream(self)
      var ok = true
      let wrote = text { piece in
        stream.feed(piece) { if ok { ok = emit(Array($0)) } }
        return ok
      }
      guard wrote, ok else { return false }
      stream.finish { if ok { ok = emit(Array($0)) } }
      return ok
    }
  }
}
