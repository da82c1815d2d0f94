using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Hako.Linux.Files;

/// <summary>
/// Reads a procfs/cgroupfs file in as few syscalls as possible (open, read until 0, close), into a per-thread
/// buffer. File.ReadAllText costs several times more per file (fstat, a stream, a decoder), which matters to
/// hakod's beancounter sweep: about 25 small files per container, 200 containers every 10 s.
/// </summary>
internal static class KernelText
{
    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>The file's text; throws what File.OpenHandle throws (FileNotFoundException for a missing file...).</summary>
    public static string Read(string path)
    {
        var buffer = t_buffer ??= new byte[16 * 1024];
        using SafeFileHandle handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
        var length = 0;
        while (true)
        {
            if (length == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
                t_buffer = buffer;
            }

            var n = RandomAccess.Read(handle, buffer.AsSpan(length), length);
            if (n == 0)
            {
                return Encoding.ASCII.GetString(buffer, 0, length);
            }

            length += n;
        }
    }

    /// <summary>Like <see cref="Read"/>, null when the file is gone or unreadable (a process that just exited).</summary>
    public static string? TryRead(string path)
    {
        try
        {
            return Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
