#if canImport(Glibc)
import Glibc
#endif

/// The scheduling priority (nice value) of the calling thread, on Linux.
enum ThreadPriority {
    /// Sets the calling thread's nice value; false where the system refuses
    /// (a nice value below 0 needs CAP_SYS_NICE) or has no such thing.
    @discardableResult
    static func setCurrentThread(nice: Int32) -> Bool {
        #if canImport(Glibc)
        // On Linux a nice value is a thread's, and 0 names the calling one.
        return setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, nice) == 0
        #else
        return false
        #endif
    }
}
