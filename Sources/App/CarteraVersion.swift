/// The version of this build of Cartera.
public enum CarteraVersion {
    public static let current = "0.1.0"
}
