using System.Text;

namespace Hako.Linux.Files;

/// <summary>
/// Files only root may read (tokens, configs that hold them): created with mode 0600 by the open call itself
/// (O_CREAT|O_EXCL with the mode), written, flushed to disk and renamed into place, so the secret is never
/// readable by others for an instant and a crash never leaves half a file.
/// </summary>
public static class SecretFile
{
    public const UnixFileMode Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Replaces (or creates) <paramref name="path"/> with <paramref name="content"/>, mode 0600.</summary>
    public static void Write(string path, string content)
    {
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(tmp); // a leftover of a crash; CreateNew below must make the file itself
        try
        {
            using (var f = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = Mode,
            }))
            {
                f.Write(Encoding.UTF8.GetBytes(content));
                f.Flush(flushToDisk: true);
            }

            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            File.Delete(tmp);
        }
    }

    /// <summary>Creates <paramref name="path"/> with <paramref name="content"/> unless it exists; true when this call made it.</summary>
    public static bool TryCreate(string path, string content)
    {
        if (File.Exists(path))
        {
            return false;
        }

        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        File.Delete(tmp);
        try
        {
            using (var f = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, UnixCreateMode = Mode,
            }))
            {
                f.Write(Encoding.UTF8.GetBytes(content));
                f.Flush(flushToDisk: true);
            }

            // link(2) fails if the name exists: two racing creators never overwrite each other's secret.
            try
            {
                File.Move(tmp, path, overwrite: false);
                return true;
            }
            catch (IOException) when (File.Exists(path))
            {
                return false;
            }
        }
        finally
        {
            File.Delete(tmp);
        }
    }
}
