using System.Runtime.InteropServices;
using Hako.Contracts;
using Hako.Core.Errors;

namespace Hako.Linux.Interop;

/// <summary>Errno values Hako looks at by name (asm-generic/errno-base.h, errno.h).</summary>
internal enum Errno
{
    EPERM = 1,
    ENOENT = 2,
    EACCES = 13,
    EEXIST = 17,
    EXDEV = 18,
    ENOTDIR = 20,
    EISDIR = 21,
    EINVAL = 22,
    ENOSPC = 28,
    EROFS = 30,
    ERANGE = 34,
    ENOTEMPTY = 39,
    ELOOP = 40,
    ENODATA = 61,
    EOPNOTSUPP = 95,
}

internal static partial class Interop
{
    /// <summary>Turns a failed libc call (-1 and errno) into a <see cref="HakoException"/> that names the call and the path.</summary>
    internal static void CheckIo(int result, string call, string path)
    {
        if (result != -1)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        var code = (Errno)errno switch
        {
            Errno.ENOENT => ErrorCode.NotFound,
            Errno.EPERM or Errno.EACCES or Errno.EROFS => ErrorCode.PermissionDenied,
            Errno.ENOSPC => ErrorCode.InsufficientResources,
            Errno.EEXIST => ErrorCode.AlreadyExists,
            Errno.ELOOP or Errno.EXDEV or Errno.ENOTDIR or Errno.EISDIR or Errno.ENOTEMPTY => ErrorCode.Conflict,
            _ => ErrorCode.Internal,
        };
        throw new HakoException(code,
            $"{call} failed on '{path}': {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }
}
