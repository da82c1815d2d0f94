using System.Text.Json;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Runtime.Migration;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    /// <summary>
    /// Starts a tar of a template as stored (its rootfs, already shifted to <see cref="UidBase"/>, and template.json)
    /// for a node that lacks it. The caller reads <see cref="TarStream.Output"/> and then completes the stream.
    /// </summary>
    public TarStream Send(string name)
    {
        if (!Exists(name))
        {
            throw HakoException.NotFound($"Template '{name}' does not exist; see hako template list");
        }

        return TarStream.Create(TemplateDir(name), ["rootfs", MetadataFile], recursive: true, live: false);
    }

    /// <summary>
    /// Receives a template sent by another node's <see cref="Send"/>: extracted into a staging dir, checked
    /// against <paramref name="expectedHash"/> (the content hash the sender announced) and this store's uid
    /// base, then renamed into place. Any failure deletes the staging dir, so nothing half-received remains.
    /// </summary>
    public async Task<Template> ReceiveAsync(string name, string expectedHash, Stream body, CancellationToken ct = default, long? declaredLength = null)
    {
        CheckNewName(name);
        var tar = Capped(name, body, declaredLength);
        var staging = Path.Join(TemplatesDir, $"{StagingPrefix}{name}-{RandomSuffix()}");
        Directory.CreateDirectory(staging);
        try
        {
            await TarStream.ExtractAsync(tar, staging, ct);
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

            var rootfs = Path.Join(staging, "rootfs");
            var stats = TreeHash.Compute(rootfs, await FileTree.ListAsync(rootfs, ct), ct: ct);
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

            return template with { RootfsPath = Path.Join(TemplateDir(name), "rootfs") };
        }
        catch
        {
            DeleteQuietly(staging);
            throw;
        }
    }
}
