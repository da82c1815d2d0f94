namespace Hako.Linux.Security;

/// <summary>
/// Whether the host confines containers with AppArmor. LXC's `generated` profile (a per-container
/// profile derived from LXC's base profile, loaded with apparmor_parser at start) is used whenever the
/// kernel has AppArmor enabled; `unconfined` only when it does not. Debian 12 enables AppArmor by default.
/// </summary>
public sealed record AppArmorState(bool Enabled, bool ParserInstalled)
{
    /// <summary>The kernel's switch: "Y" when the AppArmor LSM is active.</summary>
    public const string EnabledFile = "/sys/module/apparmor/parameters/enabled";

    public static readonly string[] ParserPaths = ["/sbin/apparmor_parser", "/usr/sbin/apparmor_parser"];

    /// <param name="enabledFile">For tests: a copy of the kernel's file.</param>
    public static AppArmorState Probe(string enabledFile = EnabledFile)
    {
        var enabled = false;
        try
        {
            enabled = File.Exists(enabledFile) && File.ReadAllText(enabledFile).Trim() == "Y";
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return new AppArmorState(enabled, ParserPaths.Any(File.Exists));
    }

    /// <summary>What `hako node` shows: the mode in force and why.</summary>
    public string Describe() => Enabled
        ? ParserInstalled
            ? "apparmor (LXC generated profile, nesting off)"
            : "apparmor enabled but apparmor_parser missing: containers cannot start (apt-get install apparmor)"
        : "none (the host kernel has no AppArmor; containers run unconfined)";
}
