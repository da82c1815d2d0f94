using System.Security.Cryptography;
using System.Text;
using Hako.Contracts;
using Hako.Core.Containers;
using Hako.Core.Errors;
using Hako.Linux.Files;

namespace Hako.Daemon.Containers;

public sealed partial class ContainerService
{
    private const uint GuestFileMode = 0b110_100_100; // 0644

    /// <summary>
    /// Writes /etc/hostname, /etc/hosts and /etc/resolv.conf through the container's root mount. The container's
    /// root owns /etc and may swap it (or the files) for symlinks to host paths at any moment, so nothing here
    /// goes by path: /etc is opened beneath a handle on the rootfs with openat2 RESOLVE_NO_SYMLINKS (a symlinked
    /// /etc is a Conflict and nothing is written), each file is created fresh under a temporary name with
    /// O_CREAT|O_EXCL|O_NOFOLLOW, handed to container root and renamed over the old name (a symlink there is
    /// replaced, never followed).
    /// </summary>
    private void WriteGuestFiles(ContainerRecord r)
    {
        var shortName = r.Hostname.Split('.')[0];
        var names = shortName == r.Hostname ? r.Hostname : $"{r.Hostname} {shortName}";
        var files = new List<(string Name, string Content)>
        {
            ("hostname", r.Hostname + "\n"),
            ("hosts", $"127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n{(r.Ip is null ? "127.0.1.1" : r.Ip)}\t{names}\n"),
        };
        if (r.Nameservers.Count > 0)
        {
            files.Add(("resolv.conf", string.Concat(r.Nameservers.Select(n => $"nameserver {n}\n"))));
        }

        var uid = (uint)(RootUid(r) ?? 0);
        using var root = RootedDirectory.Open(paths.RootfsMount(r.Name));
        DirectoryHandle etc;
        try
        {
            etc = root.CreateParents("etc/x", uid, uid, out _);
        }
        catch (UnsafePathException e)
        {
            throw HakoException.Conflict($"/etc inside container {r.Name} is a symlink or lies below one; Hako will not write through it ({e.Message})");
        }
        catch (HakoException e) when (e.Code == ErrorCode.Conflict)
        {
            throw HakoException.Conflict($"/etc inside container {r.Name} is not a directory; Hako will not write there ({e.Message})");
        }
        catch (HakoException e) when (e.Code is ErrorCode.NotFound or ErrorCode.AlreadyExists)
        {
            // The container's root removed or re-made /etc between two steps: its own doing, nothing was written.
            throw HakoException.Conflict($"/etc inside container {r.Name} changed while Hako was writing to it; try again ({e.Message})");
        }

        using (etc)
        {
            foreach (var (name, content) in files)
            {
                WriteGuestFile(etc, name, content, uid, r.Name);
            }
        }
    }

    private static void WriteGuestFile(DirectoryHandle etc, string name, string content, uint uid, string container)
    {
        var temp = $".{name}.hako-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}";
        try
        {
            using (var handle = etc.CreateFile(temp, GuestFileMode))
            {
                RandomAccess.Write(handle, Encoding.UTF8.GetBytes(content), 0);
                OpenFile.Chown(handle, uid, uid);
                OpenFile.Chmod(handle, GuestFileMode);
            }

            etc.Rename(temp, name);
        }
        catch (HakoException e) when (e.Code is ErrorCode.Conflict or ErrorCode.AlreadyExists or ErrorCode.NotFound)
        {
            etc.RemoveEntry(temp);
            throw HakoException.Conflict($"/etc/{name} inside container {container} could not be replaced ({e.Message}); is it a directory?");
        }
    }
}
