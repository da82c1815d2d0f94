using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>chmod(2); follows symlinks, so callers use it on files and directories only.</summary>
    [LibraryImport("libc", EntryPoint = "chmod", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Chmod(string path, uint mode);
}
