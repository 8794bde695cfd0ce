/// How long sign-in is refused after repeated failures, per account and per IP address.
///
/// Below the threshold nothing is refused. At the threshold the key is locked for 30 s, and each further failure
/// doubles the wait, up to one hour: 30 s, 1 min, 2 min, 4 min, 8 min, 16 min, 32 min, 60 min. A successful sign-in
/// clears the account's count; an address's count is forgotten after an hour without failures. While a key is locked,
/// attempts are refused without checking the password, so guessing cannot go on at full speed.
public enum LoginThrottle {
    /// Failures of one user name before the first lock.
    public static let accountThreshold = 5
    /// Failures from one IP address before the first lock (higher: many people may share an office's address).
    public static let addressThreshold = 20
    /// The longest lock, in seconds.
    public static let maximumLockSeconds: Int64 = 3600
    /// After this many seconds without failures, a count starts again from zero.
    public static let forgetAfterSeconds: Int64 = 3600

    /// Seconds to lock a key that has just reached `failures` consecutive failures.
    public static func lockSeconds(failures: Int, threshold: Int) -> Int64 {
        guard failures >= threshold else { return 0 }
        let doublings = min(failures - threshold, 7)
        return min(30 << Int64(doublings), maximumLockSeconds)
    }

    /// A Spanish phrase for a wait: «30 segundos», «2 minutos», «1 hora».
    public static func describe(seconds: Int64) -> String {
        if seconds < 60 { return seconds == 1 ? "1 segundo" : "\(seconds) segundos" }
        let minutes = (seconds + 59) / 60
        if minutes < 60 { return minutes == 1 ? "1 minuto" : "\(minutes) minutos" }
        return "1 hora"
    }
}
