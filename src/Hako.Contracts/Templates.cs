namespace Hako.Contracts;

public sealed record TemplateInfo
{
    public required string Name { get; init; }
    /// <summary>busybox, import, debootstrap.</summary>
    public required string Source { get; init; }
    public required long SizeBytes { get; init; }
    public required long Files { get; init; }
    /// <summary>sha256 over the rootfs tree, used by migration to skip sending a template the target has.</summary>
    public string? ContentHash { get; init; }
    public IReadOnlyList<string> Containers { get; init; } = [];
    public DateTimeOffset CreatedAt { get; init; }
    public string? Description { get; init; }
}

public sealed record BuildTemplateRequest
{
    /// <summary>busybox or debian-12 (debootstrap).</summary>
    public required string Name { get; init; }
    public string? Mirror { get; init; }
}

public sealed record ImportTemplateRequest
{
    public required string Name { get; init; }
    /// <summary>Path on the node of a tar.gz/tar.xz/tar.zst rootfs tarball.</summary>
    public required string Path { get; init; }
}
