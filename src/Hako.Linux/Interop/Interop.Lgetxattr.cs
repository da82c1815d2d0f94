using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>lgetxattr(2): an attribute's bytes of the path itself; size or -1 (ERANGE: buffer too small).</summary>
    [LibraryImport("libc", EntryPoint = "lgetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint Lgetxattr(string path, string name, Span<byte> value, nuint size);
}
