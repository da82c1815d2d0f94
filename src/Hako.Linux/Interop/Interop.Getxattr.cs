using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>getxattr(2): the value's length, or -1 (ENODATA when the attribute is absent).</summary>
    [LibraryImport("libc", EntryPoint = "getxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial nint Getxattr(string path, string name, Span<byte> value, nuint size);
}
