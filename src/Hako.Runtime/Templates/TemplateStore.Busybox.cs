using System.Text.RegularExpressions;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Files;
using Hako.Linux.Processes;

namespace Hako.Runtime.Templates;

public sealed partial class TemplateStore
{
    /// <summary>The host's static busybox (Debian package busybox-static). Settable for tests.</summary>
    internal string BusyboxPath { get; init; } = "/bin/busybox";

    private static readonly string[] BusyboxDirs =
        ["bin", "sbin", "etc", "etc/init.d", "proc", "sys", "dev", "dev/pts", "run", "tmp", "root",
         "home", "var", "var/log", "usr", "usr/bin", "usr/sbin", "mnt"];

    /// <summary>
    /// Builds a complete, self-contained rootfs (about 2 MB) from the host's static busybox: no
    /// network. Busybox init runs /etc/init.d/rcS once and then waits; it powers off on SIGUSR2.
    /// </summary>
    public async Task<Template> BuildBusyboxAsync(string name, IProgress<(int Percent, string Step)>? progress = null,
        CancellationToken ct = default)
    {
        return await MakeAsync(name, "busybox", fillEnd: 20, progress, ct, async rootfs =>
        {
            progress?.Report((0, "checking busybox"));
            CheckStaticBusybox(BusyboxPath);
            var help = await ProcessRunner.CheckAsync(BusyboxPath, ["--help"], ct: ct);
            var version = BusyboxVersion().Match(help) is { Success: true } m ? m.Groups[1].Value : "unknown";
            var applets = (await ProcessRunner.CheckAsync(BusyboxPath, ["--list-full"], ct: ct))
                .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

            progress?.Report((5, "creating directories"));
            Directory.CreateDirectory(rootfs);
            UnixFile.Chmod(rootfs, Convert.ToInt32("755", 8));
            foreach (var d in BusyboxDirs)
            {
                Directory.CreateDirectory(Path.Join(rootfs, d));
                UnixFile.Chmod(Path.Join(rootfs, d), Convert.ToInt32(d switch { "tmp" => "1777", "root" => "700", _ => "755" }, 8));
            }

            progress?.Report((10, $"installing busybox {version} and {applets.Length} applets"));
            var busybox = Path.Join(rootfs, "bin/busybox");
            File.Copy(BusyboxPath, busybox);
            UnixFile.Chmod(busybox, Convert.ToInt32("755", 8));
            foreach (var applet in applets)
            {
                // --list-full prints paths such as "sbin/init" and "usr/bin/wget".
                if (applet.StartsWith('/') || applet.Split('/').Contains("..") || applet == "bin/busybox")
                {
                    continue;
                }

                var link = Path.Join(rootfs, applet);
                Directory.CreateDirectory(Path.GetDirectoryName(link)!);
                if (!Path.Exists(link))
                {
                    File.CreateSymbolicLink(link, "/bin/busybox");
                }
            }

            progress?.Report((15, "writing /etc"));
            WriteBusyboxEtc(rootfs, version);
            return new RootfsFacts($"busybox {version} ({BusyboxPath})", "/sbin/init", "SIGUSR2",
                $"BusyBox {version}, {applets.Length} applets");
        });
    }

    private static void CheckStaticBusybox(string path)
    {
        if (!File.Exists(path))
        {
            throw new HakoException(ErrorCode.Unsupported,
                $"{path} is missing; install the Debian package busybox-static (apt-get install busybox-static)");
        }

        switch (ElfFile.IsDynamic(path))
        {
            case null:
                throw new HakoException(ErrorCode.Unsupported,
                    $"{path} is not an ELF binary; install the Debian package busybox-static (apt-get install busybox-static)");
            case true:
                throw new HakoException(ErrorCode.Unsupported,
                    $"{path} is dynamically linked and would not run inside the template without the host's libraries; " +
                    "install the Debian package busybox-static instead of busybox (apt-get install busybox-static)");
        }
    }

    private static void WriteBusyboxEtc(string rootfs, string version)
    {
        void Write(string rel, string text, string mode = "644")
        {
            var path = Path.Join(rootfs, rel);
            File.WriteAllText(path, text);
            UnixFile.Chmod(path, Convert.ToInt32(mode, 8));
        }

        // No getty and no respawned shell: users come in with lxc-attach, and an init that only
        // waits makes the container's idle footprint one process.
        Write("etc/inittab", """
            ::sysinit:/etc/init.d/rcS
            ::shutdown:/bin/umount -a -r

            """);
        Write("etc/init.d/rcS", """
            #!/bin/sh
            # Run once by busybox init. LXC has already mounted /proc, /sys and /dev.
            mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run
            mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /tmp
            [ -s /etc/hostname ] && hostname -F /etc/hostname
            ip link set lo up

            """, "755");
        Write("etc/passwd", """
            root:x:0:0:root:/root:/bin/sh
            nobody:x:65534:65534:nobody:/nonexistent:/bin/false

            """);
        Write("etc/group", """
            root:x:0:
            nogroup:x:65534:

            """);
        Write("etc/shadow", """
            root:!:0:0:99999:7:::
            nobody:!:0:0:99999:7:::

            """, "600");
        Write("etc/hosts", """
            # Placeholder: hako adds the container's hostname when it starts the container.
            127.0.0.1	localhost
            ::1	localhost ip6-localhost ip6-loopback

            """);
        Write("etc/os-release", $"""
            NAME="BusyBox"
            ID=busybox
            VERSION_ID="{version}"
            PRETTY_NAME="BusyBox {version} (Hako template)"
            HOME_URL="https://busybox.net/"

            """);
        Write("etc/profile", """
            export PATH=/usr/sbin:/usr/bin:/sbin:/bin
            export PS1='\u@\h:\w\$ '

            """);
    }

    [GeneratedRegex(@"BusyBox v(\S+)")]
    private static partial Regex BusyboxVersion();
}
