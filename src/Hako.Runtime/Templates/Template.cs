using System.Text.Json;
using System.Text.Json.Serialization;
using Hako.Contracts;

namespace Hako.Runtime.Templates;

/// <summary>A prepared template as stored in <c>&lt;dataDir&gt;/templates/&lt;name&gt;/template.json</c>.</summary>
public sealed record Template
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
