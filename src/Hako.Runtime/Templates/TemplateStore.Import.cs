using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    /// <summary>
    /// Imports an OS template cache tarball (tar.gz, tar.xz, tar.zst or tar.bz2 of a rootfs, as
    /// OpenVZ and Proxmox ship them; the compression is read from the magic bytes). Ownership is
    /// kept and then shifted into the unprivileged range.
    /// </summary>
    public async Task<Template> ImportAsync(string name, string tarballPath,
        IProgress<(int Percent, string Step)>? progress = null, CancellationToken ct = default)
    {
        CheckNewName(name);
        var tarball = Path.GetFullPath(tarballPath);
        if (!File.Exists(tarball))
        {
            throw HakoException.NotFound($"Tarball '{tarball}' does not exist; give the path of a rootfs tarball on this node");
        }

        var compression = TarballFormat.Detect(tarball) ?? throw HakoException.Invalid(
            $"'{tarball}' is not a tar archive compressed with gzip, xz, zstd or bzip2; give an OS template cache tarball such as debian-12-standard_12.7-1_amd64.tar.zst");
        var flag = TarballFormat.TarFlag(compression);

        return await MakeAsync(name, "import", fillEnd: 50, progress, ct, async rootfs =>
        {
            progress?.Report((0, $"checking {Path.GetFileName(tarball)} ({compression})"));
            var list = await ProcessRunner.RunAsync("tar", TarArgs("-t", flag, tarball), ct: ct);
            if (!list.Ok)
            {
                throw HakoException.Invalid($"'{tarball}' could not be read by tar ({list.Stderr.Trim()}); is it a complete, uncorrupted tarball?");
            }

            var unsafeEntries = UnsafeEntries(list.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            if (unsafeEntries.Count > 0)
            {
                throw HakoException.Invalid(
                    $"Tarball '{tarball}' has {unsafeEntries.Count} entries with absolute paths or '..' that would land outside the template " +
                    $"({string.Join(", ", unsafeEntries.Take(5))}); repack it with paths relative to the rootfs");
            }

            progress?.Report((5, "extracting"));
            // 0755 like any /, whatever hakod's umask (077); the tarball's own "./" entry, if any, sets it again.
            Directory.CreateDirectory(rootfs, (UnixFileMode)0b111_101_101);
            var extract = await ProcessRunner.RunAsync("tar",
                ["--numeric-owner", "-xp", .. TarArgs(null, flag, tarball), "-C", rootfs], ct: ct);
            if (!extract.Ok)
            {
                throw HakoException.Invalid($"Extracting '{tarball}' failed (tar exit {extract.ExitCode}): {extract.Stderr.Trim()}");
            }

            HoistSingleTopDirectory(rootfs);
            CheckLooksLikeRootfs(rootfs, tarball);
            var (init, halt) = DetectInit(rootfs);
            return new RootfsFacts(tarball, init, halt, OsPrettyName(rootfs));
        });
    }

    private static List<string> TarArgs(string? mode, string? flag, string tarball)
    {
        var args = new List<string>();
        if (mode is not null)
        {
            args.Add(mode);
        }

        if (flag is not null)
        {
            args.Add(flag);
        }

        args.AddRange(["-f", tarball]);
        return args;
    }

    /// <summary>Entries that are absolute or contain a '..' component.</summary>
    internal static List<string> UnsafeEntries(IEnumerable<string> names) =>
        names.Where(n => n.StartsWith('/') || n.Split('/').Contains("..")).ToList();

    /// <summary>Some tarballs hold the rootfs in one top-level directory (e.g. "rootfs/etc/..."); move it up.</summary>
    private static void HoistSingleTopDirectory(string rootfs)
    {
        if (Directory.Exists(Path.Join(rootfs, "etc")) || new FileInfo(Path.Join(rootfs, "etc")).LinkTarget is not null)
        {
            return;
        }

        var top = Directory.GetFileSystemEntries(rootfs);
        if (top.Length != 1 || !Directory.Exists(top[0]) || new DirectoryInfo(top[0]).LinkTarget is not null
            || !Directory.Exists(Path.Join(top[0], "etc")))
        {
            return;
        }

        var inner = rootfs + ".inner";
        Directory.Move(top[0], inner);
        Directory.Delete(rootfs);
        Directory.Move(inner, rootfs);
    }

    private static void CheckLooksLikeRootfs(string rootfs, string source)
    {
        var problems = new List<string>();
        if (RootfsPath.Resolve(rootfs, "/etc") is not { } etc || !Directory.Exists(etc))
        {
            problems.Add("no /etc directory");
        }

        if (!RootfsPath.Exists(rootfs, "/sbin/init") && !RootfsPath.Exists(rootfs, "/lib/systemd/systemd")
            && !RootfsPath.Exists(rootfs, "/bin/sh"))
        {
            problems.Add("no /sbin/init, /lib/systemd/systemd or /bin/sh");
        }

        if (problems.Count > 0)
        {
            throw new HakoException(ErrorCode.InvalidArgument,
                $"'{source}' does not look like an OS rootfs ({string.Join("; ", problems)}); import an OS template cache tarball with the rootfs at its top level",
                problems);
        }
    }

    /// <summary>
    /// Which init the container runs and the signal that makes it shut down cleanly: systemd
    /// wants SIGRTMIN+3, busybox init SIGUSR2 (it ignores SIGPWR), sysvinit SIGPWR.
    /// </summary>
    internal static (string Init, string HaltSignal) DetectInit(string rootfs)
    {
        var init = RootfsPath.Resolve(rootfs, "/sbin/init");
        var systemd = RootfsPath.Resolve(rootfs, "/lib/systemd/systemd");
        if (init is null)
        {
            return systemd is not null ? ("/lib/systemd/systemd", "SIGRTMIN+3") : ("/bin/sh", "SIGPWR");
        }

        if (init == systemd)
        {
            return ("/sbin/init", "SIGRTMIN+3");
        }

        return Path.GetFileName(init) == "busybox" ? ("/sbin/init", "SIGUSR2") : ("/sbin/init", "SIGPWR");
    }

    /// <summary>PRETTY_NAME from the rootfs's os-release, for the template's description.</summary>
    private static string? OsPrettyName(string rootfs)
    {
        var path = RootfsPath.Resolve(rootfs, "/etc/os-release") ?? RootfsPath.Resolve(rootfs, "/usr/lib/os-release");
        if (path is null || !File.Exists(path))
        {
            return null;
        }

        return File.ReadLines(path)
            .Where(l => l.StartsWith("PRETTY_NAME=", StringComparison.Ordinal))
            .Select(l => l["PRETTY_NAME=".Length..].Trim('"', '\''))
            .FirstOrDefault();
    }
}
