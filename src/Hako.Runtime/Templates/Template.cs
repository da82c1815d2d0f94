using System.Text.Json;
using System.Text.RegularExpressions;
using System.Text.Json.Serialization;
using Hako.Contracts;

namespace Hako.Runtime.Templates;

/// <summary>A prepared template as stored in <c>&lt;dataDir&gt;/templates/&lt;name&gt;/template.json</c>.</summary>
public sealed partial record Template
{
    public required string Name { get; init; }

    /// <summary>busybox, import or debootstrap.</summary>
    public required string Source { get; init; }

    /// <summary>Where it came from: the busybox version, the tarball path or the mirror and suite.</summary>
    public string? Origin { get; init; }

    /// <summary>Disk usage of the rootfs: st_blocks × 512 over unique inodes, i.e. <c>du -s -B1 rootfs</c>.</summary>
    public required long SizeBytes { get; init; }

    /// <summary>Entries below the rootfs (files, directories, symlinks, devices; hard links counted per name).</summary>
    public required long Files { get; init; }

    /// <summary>sha256 over sorted relative paths, types, modes, file contents and symlink targets ("sha256:hex").</summary>
    public required string ContentHash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The container's init, e.g. /sbin/init.</summary>
    public required string Init { get; init; }

    /// <summary>What lxc.signal.halt must be for a clean shutdown: SIGUSR2 for busybox init, SIGRTMIN+3 for systemd, SIGPWR for sysvinit.</summary>
    public required string HaltSignal { get; init; }

    /// <summary>Host uid/gid that container root was shifted to; containers using this template need this idmap base.</summary>
    public required int UidBase { get; init; }

    public string? Description { get; init; }

    /// <summary>What the import policy dropped (device nodes, file capabilities, setuid bits, xattrs), or null.</summary>
    public string? Dropped { get; init; }

    /// <summary>
    /// The metadata that reaches a container's LXC config, as covered by <see cref="ContentHash"/>: a peer cannot
    /// change the init or halt signal of a template without changing its hash.
    /// </summary>
    internal static string HashedFields(string init, string haltSignal, int uidBase) =>
        $"init={init}\0halt={haltSignal}\0uidbase={uidBase}\0";

    /// <summary>
    /// Every problem with the values that go into <c>lxc.init.cmd</c> and <c>lxc.signal.halt</c>: the init is an
    /// absolute path of plain characters (no spaces, newlines or control characters, no ".."), the halt signal a
    /// signal name LXC knows.
    /// </summary>
    public static List<string> CheckLxcValues(string init, string haltSignal)
    {
        var errors = new List<string>();
        if (!SafeInit().IsMatch(init) || init.Split('/').Contains("..") || init.Length > 255)
        {
            errors.Add($"Init '{Escape(init)}' is not an absolute path of letters, digits and . _ - + / (at most 255 characters, no '..')");
        }

        if (!KnownSignals.Contains(haltSignal) && !RealtimeSignal().IsMatch(haltSignal))
        {
            errors.Add($"Halt signal '{Escape(haltSignal)}' is not a signal name such as SIGPWR, SIGUSR2, SIGTERM or SIGRTMIN+3");
        }

        return errors;
    }

    private static readonly HashSet<string> KnownSignals =
        ["SIGPWR", "SIGUSR1", "SIGUSR2", "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGKILL"];

    private static string Escape(string s) => string.Concat(s.Take(80).Select(c => char.IsControl(c) ? $"\\x{(int)c:x2}" : c.ToString()));

    [GeneratedRegex("^/[A-Za-z0-9._+/-]+$")]
    private static partial Regex SafeInit();

    [GeneratedRegex("^SIGRTM(IN|AX)([+-]([1-9]|1[0-5]))?$")]
    private static partial Regex RealtimeSignal();

    /// <summary>Absolute path of the read-only rootfs (the overlay lowerdir). Not stored: derived from the data dir.</summary>
    [JsonIgnore]
    public string RootfsPath { get; init; } = "";

    public TemplateInfo ToInfo(IReadOnlyList<string>? containers = null) => new()
    {
        Name = Name,
        Source = Source,
        SizeBytes = SizeBytes,
        Files = Files,
        ContentHash = ContentHash,
        CreatedAt = CreatedAt,
        Description = Description,
        Containers = containers ?? [],
    };
}

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = true)]
[JsonSerializable(typeof(Template))]
internal sealed partial class TemplateJsonContext : JsonSerializerContext;
