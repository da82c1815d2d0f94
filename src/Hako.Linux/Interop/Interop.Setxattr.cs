using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>setxattr(2) on the path (following symlinks; callers pass directories they made).</summary>
    [LibraryImport("libc", EntryPoint = "setxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Setxattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);
}
