using Hako.Core.Containers;
using Hako.Linux.Files;
using Hako.Linux.Interop;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    /// <summary>Writes /etc/hostname, /etc/hosts and /etc/resolv.conf through the container's root mount.</summary>
    private void WriteGuestFiles(ContainerRecord r)
    {
        var root = paths.RootfsMount(r.Name);
        var shortName = r.Hostname.Split('.')[0];
        var names = shortName == r.Hostname ? r.Hostname : $"{r.Hostname} {shortName}";
        WriteGuestFile(root, "etc/hostname", r.Hostname + "\n", r);
        WriteGuestFile(root, "etc/hosts",
            $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{(r.Ip is null ? "127.0.1.1" : r.Ip)}\t{names}\n", r);
        if (r.Nameservers.Count > 0)
        {
            WriteGuestFile(root, "etc/resolv.conf", string.Concat(r.Nameservers.Select(n => $"nameserver {n}\n")), r);
        }
    }

    /// <summary>
    /// The container's root owns its files, so it may have replaced them with symlinks to host paths:
    /// never follow a link here (remove it, then create the file fresh), and hand the file to container root.
    /// </summary>
    private void WriteGuestFile(string root, string relative, string content, ContainerRecord r)
    {
        var dir = Path.Combine(root, Path.GetDirectoryName(relative)!);
        if (new DirectoryInfo(dir).LinkTarget is not null)
        {
            throw new Core.Errors.HakoException(Contracts.ErrorCode.Conflict,
                $"/{Path.GetDirectoryName(relative)} inside container {r.Name} is a symlink; Hako will not write through it");
        }

        Directory.CreateDirectory(dir, (UnixFileMode)0b111_101_101); // a guest's /etc is 0755 (hakod's own umask is 077)
        var path = Path.Combine(root, relative);
        var info = new FileInfo(path);
        if (info.LinkTarget is not null || info.Exists)
        {
            File.Delete(path);
        }

        using (var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write))
        using (var w = new StreamWriter(f))
        {
            w.Write(content);
        }

        File.SetUnixFileMode(path, (UnixFileMode)0b110_100_100);
        var uid = RootUid(r) ?? 0;
        UnixFile.Lchown(path, (uint)uid, (uint)uid);
    }
}
