using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    public const string DefaultDebianMirror = "http://deb.debian.org/debian";

    private const string DebianSuite = "bookworm";

    /// <summary>debootstrap's path; null searches PATH, /usr/sbin and /sbin. Settable for tests.</summary>
    internal string? DebootstrapPath { get; init; }

    /// <summary>
    /// Units that cannot work in an unprivileged container (no audit, debugfs, tracefs, configfs or
    /// hugetlbfs mounts) and would only show as failed in <c>systemctl --failed</c>.
    /// </summary>
    internal static readonly string[] MaskedUnits =
        ["systemd-journald-audit.socket", "sys-kernel-debug.mount", "sys-kernel-tracing.mount",
         "sys-kernel-config.mount", "dev-hugepages.mount"];

    /// <summary>
    /// Builds a Debian 12 (bookworm) minbase rootfs with systemd, iproute2, ifupdown and procps by
    /// running debootstrap against <paramref name="mirror"/> (default deb.debian.org). Takes minutes
    /// and needs the mirror to be reachable.
    /// </summary>
    public async Task<Template> BuildDebootstrapAsync(string name, string? mirror = null,
        IProgress<(int Percent, string Step)>? progress = null, CancellationToken ct = default)
    {
        CheckNewName(name);
        mirror ??= DefaultDebianMirror;
        if (!Uri.TryCreate(mirror, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https" or "file"))
        {
            throw HakoException.Invalid($"Mirror '{mirror}' is not an http(s) or file URL; use e.g. {DefaultDebianMirror}");
        }

        var debootstrap = FindDebootstrap();
        return await MakeAsync(name, "debootstrap", fillEnd: 70, progress, ct, async rootfs =>
        {
            progress?.Report((0, $"debootstrap {DebianSuite} from {mirror} (downloads and installs packages; takes minutes)"));
            var r = await ProcessRunner.RunAsync(debootstrap, DebootstrapArguments(rootfs, mirror), ct: ct);
            if (!r.Ok)
            {
                // debootstrap logs the real cause to stdout ("E: ...") and into debootstrap.log.
                var log = Path.Join(rootfs, "debootstrap", "debootstrap.log");
                var tail = File.Exists(log) ? string.Join('\n', File.ReadLines(log).TakeLast(5)) : r.Stdout.Trim();
                throw new HakoException(ErrorCode.Internal,
                    $"debootstrap {DebianSuite} from {mirror} failed (exit {r.ExitCode}): {r.Stderr.Trim()} {tail}; check that the mirror is reachable from this node");
            }

            progress?.Report((65, "masking units that fail in unprivileged containers"));
            MaskUnits(rootfs);
            return new RootfsFacts($"{mirror} {DebianSuite}", "/sbin/init", "SIGRTMIN+3", "Debian GNU/Linux 12 (bookworm), minbase + systemd");
        });
    }

    internal static IReadOnlyList<string> DebootstrapArguments(string rootfs, string mirror) =>
        ["--variant=minbase", "--include=systemd,systemd-sysv,iproute2,ifupdown,procps", DebianSuite, rootfs, mirror];

    private static void MaskUnits(string rootfs)
    {
        var dir = Path.Join(rootfs, "etc/systemd/system");
        Directory.CreateDirectory(dir);
        foreach (var unit in MaskedUnits)
        {
            var link = Path.Join(dir, unit);
            if (!Path.Exists(link) && new FileInfo(link).LinkTarget is null)
            {
                File.CreateSymbolicLink(link, "/dev/null");
            }
        }
    }

    private string FindDebootstrap()
    {
        if (DebootstrapPath is not null)
        {
            return File.Exists(DebootstrapPath) ? DebootstrapPath : throw DebootstrapMissing();
        }

        // hakod may run with a PATH that lacks the sbin directories.
        var dirs = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(["/usr/sbin", "/sbin"]);
        return dirs.Select(d => Path.Join(d, "debootstrap")).FirstOrDefault(File.Exists) ?? throw DebootstrapMissing();
    }

    private static HakoException DebootstrapMissing() => new(ErrorCode.Unsupported,
        "debootstrap is not installed, so a Debian template cannot be built; install it (apt-get install debootstrap) or import a Debian template tarball instead");
}
