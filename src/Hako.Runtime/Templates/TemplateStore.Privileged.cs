using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Processes;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    private readonly SemaphoreSlim _privilegedLock = new(1, 1);

    /// <summary>
    /// The template as a privileged container sees it: owners back at 0 (a privileged container has no
    /// id map, so the shared shifted copy would show every file as owned by uid 100000). Made once per
    /// template on first use and shared by every privileged container of it, next to <c>rootfs</c>.
    /// </summary>
    public async Task<string> EnsurePrivilegedRootfsAsync(string name, CancellationToken ct = default)
    {
        var template = Get(name) ?? throw HakoException.NotFound($"Template {name} does not exist; see hako template list");
        var target = Path.Join(TemplateDir(name), "rootfs-privileged");
        if (Directory.Exists(target))
        {
            return target;
        }

        await _privilegedLock.WaitAsync(ct);
        try
        {
            if (Directory.Exists(target))
            {
                return target;
            }

            var staging = Path.Join(TemplatesDir, $"{StagingPrefix}{name}-privileged-{RandomSuffix()}");
            try
            {
                await ProcessRunner.CheckAsync("cp", ["-a", "--reflink=auto", template.RootfsPath, staging], ct: ct);
                var entries = await FileTree.ListAsync(staging, ct);
                var outside = entries.Where(e => e.Uid < (uint)UidBase || e.Gid < (uint)UidBase).Take(3).ToList();
                if (outside.Count > 0)
                {
                    throw new HakoException(ErrorCode.Internal,
                        $"Template {name} has files not owned by its shifted range (e.g. /{outside[0].RelativePath}); rebuild it");
                }

                // Shift down by the base: adding 2^32 - base wraps each owner back to base-relative ids.
                IdShift.Shift(staging, entries, unchecked((uint)-UidBase), uint.MaxValue, ct: ct);
                Directory.Move(staging, target);
            }
            finally
            {
                if (Directory.Exists(staging))
                {
                    await ProcessRunner.RunAsync("rm", ["-rf", staging], ct: CancellationToken.None);
                }
            }

            return target;
        }
        finally
        {
            _privilegedLock.Release();
        }
    }
}
