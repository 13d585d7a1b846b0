/// batchrun's version, as `--version` prints it and reports record it.
public enum BatchrunVersion {
  public static let current = "0.1.0"
}
