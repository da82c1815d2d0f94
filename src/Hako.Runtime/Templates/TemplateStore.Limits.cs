using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Core.Units;
using Hako.Linux.Files;
using Hako.Linux.Interop;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    /// <summary>Room for template.json, tar headers and directories on top of a template's file bytes.</summary>
    public const long MetadataAllowance = 64L << 20;

    /// <summary>Kept free on the templates' filesystem whatever arrives: an upload never fills the disk to the last block.</summary>
    public const long FreeSpaceMargin = 64L << 20;

    /// <summary>The largest template (unpacked) imported or received (hakod --max-template-size).</summary>
    public long MaxTemplateBytes { get; init; } = 8L << 30;

    /// <summary>What may still be written under the templates' directory: free space less the margin.</summary>
    private long Writable()
    {
        Directory.CreateDirectory(TemplatesDir);
        return Math.Max(0, Statvfs.Get(TemplatesDir).AvailableBytes - FreeSpaceMargin);
    }

    /// <summary>Refuses a template of <paramref name="bytes"/> before anything is written: over the cap, or over the free space.</summary>
    private void CheckFits(string name, long bytes, string what)
    {
        if (bytes > MaxTemplateBytes + MetadataAllowance)
        {
            throw HakoException.Invalid(
                $"Template '{name}' {what} {Size.Format(bytes)}, more than this node takes ({Size.Format(MaxTemplateBytes)}, hakod --max-template-size)");
        }

        var writable = Writable();
        if (bytes > writable)
        {
            throw new HakoException(ErrorCode.InsufficientResources,
                $"Template '{name}' {what} {Size.Format(bytes)} but {TemplatesDir} has {Size.Format(writable)} free (keeping {Size.Format(FreeSpaceMargin)}); free space first");
        }
    }

    /// <summary>
    /// An upload body held to the cap and to the free space at the start: an endless or oversized body fails
    /// when it passes either, the staging dir is removed, and disk use stays below both.
    /// </summary>
    private CappedReadStream Capped(string name, Stream body, long? declaredLength)
    {
        if (declaredLength is { } declared)
        {
            CheckFits(name, declared, "is");
        }

        var writable = Writable();
        var cap = MaxTemplateBytes + MetadataAllowance;
        return writable < cap
            ? new CappedReadStream(body, writable, limit => new HakoException(ErrorCode.InsufficientResources,
                $"Template '{name}' passed {Size.Format(limit)}, all the free space of {TemplatesDir} (keeping {Size.Format(FreeSpaceMargin)}); the upload was stopped and removed; free space first"))
            : new CappedReadStream(body, cap, limit => HakoException.Invalid(
                $"Template '{name}' passed {Size.Format(limit)}, the most this node takes (hakod --max-template-size {Size.Format(MaxTemplateBytes)} plus {Size.Format(MetadataAllowance)} of metadata); the upload was stopped and removed"));
    }
}
