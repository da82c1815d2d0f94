using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

public static partial class ChownInterop
{
    [LibraryImport("libc", EntryPoint = "lchown", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int LchownNative(string path, int owner, int group);

    /// <summary>lchown(2): changes a path's owner without following a symlink.</summary>
    public static void Chown(string path, int uid, int gid)
    {
        if (LchownNative(path, uid, gid) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            throw new IOException($"lchown({path}, {uid}, {gid}) failed: {new Win32Exception(errno).Message}", errno);
        }
    }
}
