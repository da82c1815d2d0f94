using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Processes;
using Hako.Runtime.Archives;
using System.Diagnostics;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    /// <summary>
    /// Imports an OS template cache tarball (tar.gz, tar.xz, tar.zst or tar.bz2 of a rootfs, as
    /// OpenVZ and Proxmox ship them; the compression is read from the magic bytes). Ownership is
    /// kept and then shifted into the unprivileged range. Extracted by Hako's own reader beneath a handle on the
    /// staging rootfs (never through a symlink of the tarball) with the template policy: device nodes dropped (LXC's
    /// autodev makes /dev), file capabilities dropped, setuid/setgid kept (every owner ends up in the container's
    /// shifted range); '..', absolute names and entries below a symlink are refused.
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

            // The unpacked size, from the listing's size column, against the cap and the free space before extracting.
            var verbose = await ProcessRunner.RunAsync("tar", ["--numeric-owner", .. TarArgs("-tv", flag, tarball)], ct: ct);
            CheckFits(name, UnpackedBytes(verbose.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)), "unpacks to");
            progress?.Report((5, "extracting"));
            // 0755 like any /, whatever hakod's umask (077); the tarball's own "./" entry, if any, sets it again.
            Directory.CreateDirectory(rootfs, (UnixFileMode)0b111_101_101);
            var extracted = await ExtractTarballAsync(tarball, compression, rootfs, ct);
            var dropped = DroppedText(extracted);
            if (dropped is not null)
            {
                progress?.Report((45, $"dropped {dropped}"));
            }

            HoistSingleTopDirectory(rootfs);
            CheckLooksLikeRootfs(rootfs, tarball);
            var (init, halt) = DetectInit(rootfs);
            return new RootfsFacts(tarball, init, halt, OsPrettyName(rootfs), dropped);
        });
    }

    /// <summary>Decompresses with the matching tool and extracts its output through <see cref="TreeArchive"/>.</summary>
    private static async Task<ExtractResult> ExtractTarballAsync(string tarball, TarCompression compression, string rootfs, CancellationToken ct)
    {
        var (file, args) = TarballFormat.Decompressor(compression, tarball);
        var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi) ?? throw new HakoException(ErrorCode.Internal, $"Could not start {file}");
        var stderr = process.StandardError.ReadToEndAsync(ct);
        ExtractResult result;
        try
        {
            using var root = RootedDirectory.Open(rootfs);
            var policy = ExtractPolicy.Template(0, UidRange, ownersMustBeInRange: false);
            result = await TreeArchive.ExtractAsync(process.StandardOutput.BaseStream, root, policy, ct);
        }
        catch
        {
            process.Kill();
            await process.WaitForExitAsync(CancellationToken.None);
            throw;
        }

        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            throw HakoException.Invalid($"Decompressing '{tarball}' failed ({file} exit {process.ExitCode}): {(await stderr).Trim()}");
        }

        return result;
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

    /// <summary>
    /// The sum of the size column of `tar -tv --numeric-owner` lines ("-rw-r--r-- 0/0  1234 2024-01-01 00:00 etc/x");
    /// device entries ("8,1") and anything unreadable count 0, plus a block per entry for its header and inode.
    /// </summary>
    internal static long UnpackedBytes(IEnumerable<string> lines)
    {
        long total = 0;
        foreach (var line in lines)
        {
            var fields = line.Split(' ', 4, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length >= 3 && long.TryParse(fields[2], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var size))
            {
                total += size;
            }

            total += 512;
        }

        return total;
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
