import Glibc

/// The number of online CPUs, the default concurrency.
public enum ProcessorCount {
  public static var online: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}
