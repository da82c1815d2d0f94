using System.Text.Json;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Runtime.Archives;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    /// <summary>
    /// Starts a tar of a template as stored (its rootfs, already shifted to <see cref="UidBase"/>, and template.json)
    /// for a node that lacks it. The caller reads <see cref="PackStream.Output"/> and then completes the stream.
    /// </summary>
    public PackStream Send(string name)
    {
        if (!Exists(name))
        {
            throw HakoException.NotFound($"Template '{name}' does not exist; see hako template list");
        }

        return PackStream.StartTree(TemplateDir(name));
    }

    /// <summary>
    /// Receives a template sent by another node's <see cref="Send"/>: extracted into a staging dir, checked
    /// against <paramref name="expectedHash"/> (the content hash the sender announced, which covers the init and
    /// halt signal of template.json too) and this store's uid base, its LXC values validated, then renamed into
    /// place. Extraction follows the template policy (<see cref="ExtractPolicy.Template"/>): device nodes, file
    /// capabilities and non-user xattrs dropped, setuid/setgid kept only on files owned inside the shifted range.
    /// Any failure deletes the staging dir, so nothing half-received remains.
    /// </summary>
    public async Task<Template> ReceiveAsync(string name, string expectedHash, Stream body, CancellationToken ct = default, long? declaredLength = null)
    {
        CheckNewName(name);
        var tar = Capped(name, body, declaredLength);
        var staging = Path.Join(TemplatesDir, $"{StagingPrefix}{name}-{RandomSuffix()}");
        Directory.CreateDirectory(staging);
        try
        {
            ExtractResult extracted;
            using (var root = RootedDirectory.Open(staging))
            {
                extracted = await TreeArchive.ExtractAsync(tar, root, ExtractPolicy.Template((uint)UidBase, UidRange, ownersMustBeInRange: false), ct);
            }

            // Both must be what they claim, not symlinks the sender put there (a rootfs -> /host/dir would become a lowerdir).
            using (var root = RootedDirectory.Open(staging))
            {
                if (root.Stat(MetadataFile) is not { IsRegular: true } || root.Stat("rootfs") is not { IsDirectory: true })
                {
                    throw HakoException.Invalid($"The template sent as '{name}' lacks a regular {MetadataFile} or a rootfs directory; send it again");
                }
            }

            var meta = Path.Join(staging, MetadataFile);
            var template = File.Exists(meta) ? JsonSerializer.Deserialize(await File.ReadAllTextAsync(meta, ct), TemplateJsonContext.Default.Template) : null;
            if (template is null || template.Name != name)
            {
                throw HakoException.Invalid($"The template sent as '{name}' has no matching {MetadataFile}; send it again");
            }

            if (template.UidBase != UidBase)
            {
                throw HakoException.Conflict(
                    $"Template '{name}' was shifted to uid {template.UidBase} on the sending node but this node uses {UidBase}; give both hakods the same uid base");
            }

            if (Template.CheckLxcValues(template.Init, template.HaltSignal) is [_, ..] bad)
            {
                throw new HakoException(ErrorCode.InvalidArgument, $"Template '{name}' sent by the peer is refused: {string.Join("; ", bad)}", bad);
            }

            var rootfs = Path.Join(staging, "rootfs");
            var stats = TreeHash.Compute(rootfs, await FileTree.ListAsync(rootfs, ct),
                Template.HashedFields(template.Init, template.HaltSignal, template.UidBase), ct: ct);
            if (stats.ContentHash != expectedHash || template.ContentHash != expectedHash)
            {
                throw new HakoException(ErrorCode.Internal,
                    $"Template '{name}' arrived with content hash {stats.ContentHash}, expected {expectedHash}: the copy is damaged; try the migration again");
            }

            try
            {
                Directory.Move(staging, TemplateDir(name));
            }
            catch (IOException e) when (Directory.Exists(TemplateDir(name)))
            {
                throw new HakoException(ErrorCode.AlreadyExists, $"Template '{name}' appeared while it was being received; try again", e);
            }

            return template with { RootfsPath = Path.Join(TemplateDir(name), "rootfs"), Dropped = DroppedText(extracted) ?? template.Dropped };
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }
    }

    /// <summary>"2 device nodes, 1 file capability (security.capability)", or null when the policy dropped nothing.</summary>
    internal static string? DroppedText(ExtractResult r)
    {
        var parts = new List<string>();
        if (r.DroppedDevices > 0)
        {
            parts.Add($"{r.DroppedDevices} device node(s)");
        }

        if (r.DroppedCapabilities > 0)
        {
            parts.Add($"{r.DroppedCapabilities} file capability(ies) (security.capability)");
        }

        if (r.DroppedSetIdBits > 0)
        {
            parts.Add($"{r.DroppedSetIdBits} setuid/setgid bit(s) of files owned outside the container's ids");
        }

        if (r.DroppedXattrs > 0)
        {
            parts.Add($"{r.DroppedXattrs} xattr(s) outside user.*");
        }

        return parts.Count == 0 ? null : string.Join(", ", parts);
    }
}
