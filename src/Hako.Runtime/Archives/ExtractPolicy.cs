namespace Hako.Runtime.Archives;

/// <summary>What an extraction keeps of device nodes, setuid/setgid bits, owners and xattrs.</summary>
public sealed record ExtractPolicy
{
    /// <summary>
    /// A migration pass into a container's upper dir: everything byte-exact (whiteouts are character devices 0:0,
    /// opaque directories and redirects are trusted.overlay.* xattrs, setuid files stay setuid). The container is
    /// unprivileged, so its device nodes, setuid files and capabilities only act inside its own user namespace
    /// (security.capability v3 carries the namespace's root uid; a v2 capability written by root on the host is
    /// for the initial namespace, which is why templates drop them).
    /// </summary>
    public static ExtractPolicy Migration { get; } = new();

    /// <summary>
    /// A template from an operator's tarball or a peer: device nodes are dropped (LXC's autodev makes /dev; an
    /// unprivileged container cannot open real device nodes anyway), file capabilities (security.capability) and
    /// every xattr outside user.* are dropped (trusted.overlay.* in a lower layer would steer overlayfs), setuid and
    /// setgid are kept only on files owned by an id inside <see cref="SetIdOwnerRange"/>.
    /// </summary>
    public static ExtractPolicy Template(uint uidMin, uint uidCount, bool ownersMustBeInRange) => new()
    {
        KeepDevices = false,
        KeepXattr = name => name.StartsWith("user.", StringComparison.Ordinal),
        SetIdOwnerRange = (uidMin, uidCount),
        OwnerRange = ownersMustBeInRange ? (uidMin, uidCount) : null,
    };

    /// <summary>Character and block devices other than overlay whiteouts (0:0); false = dropped and counted.</summary>
    public bool KeepDevices { get; init; } = true;

    /// <summary>Which xattrs are written; the others are dropped and counted. Null = all.</summary>
    public Func<string, bool>? KeepXattr { get; init; }

    /// <summary>Setuid/setgid survive only on files whose owner (uid for setuid, gid for setgid) is in [First, First+Count). Null = always.</summary>
    public (uint First, uint Count)? SetIdOwnerRange { get; init; }

    /// <summary>Owners every entry must have (uid and gid in [First, First+Count)), else the archive is refused. Null = any.</summary>
    public (uint First, uint Count)? OwnerRange { get; init; }

    /// <summary>Owner of parent directories the archive does not carry (a tarball listing only files).</summary>
    public (uint Uid, uint Gid) MissingParentOwner { get; init; }
}

/// <summary>What an extraction wrote and what its policy dropped.</summary>
public sealed record ExtractResult(long Bytes, int Entries, int DroppedDevices, int DroppedCapabilities, int DroppedSetIdBits, int DroppedXattrs);
