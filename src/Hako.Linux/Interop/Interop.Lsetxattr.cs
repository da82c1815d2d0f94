using System.Runtime.InteropServices;

namespace Hako.Linux.Interop;

internal static partial class Interop
{
    /// <summary>lsetxattr(2): sets an attribute on the path itself, never on a symlink's target.</summary>
    [LibraryImport("libc", EntryPoint = "lsetxattr", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int Lsetxattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);
}
