using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>llistxattr(2): NUL-separated attribute names of the path itself (a symlink's own); size or -1.</summary>
    [LibraryImport("libc", EntryPoint = "llistxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint Llistxattr(string path, Span<byte> list, nuint size);
}
