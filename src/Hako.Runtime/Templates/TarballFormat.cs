namespace Hako.Runtime.Templates;

internal enum TarCompression
{
    None,
    Gzip,
    Xz,
    Zstd,
    Bzip2,
}

/// <summary>Tells how a tarball is compressed from its magic bytes; names like .tgz or .tar.zst are not trusted.</summary>
internal static class TarballFormat
{
    public static TarCompression? Detect(string path)
    {
        var h = new byte[512];
        int n;
        using (var f = File.OpenRead(path))
        {
            n = f.ReadAtLeast(h, h.Length, throwOnEndOfStream: false);
        }

        ReadOnlySpan<byte> s = h.AsSpan(0, n);
        if (s.StartsWith((byte[])[0x1F, 0x8B]))
        {
            return TarCompression.Gzip;
        }

        if (s.StartsWith((byte[])[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return TarCompression.Xz;
        }

        if (s.StartsWith((byte[])[0x28, 0xB5, 0x2F, 0xFD]))
        {
            return TarCompression.Zstd;
        }

        if (s.StartsWith("BZh"u8))
        {
            return TarCompression.Bzip2;
        }

        // POSIX ustar and GNU tar both put "ustar" at offset 257 of the first header.
        return n >= 262 && s[257..262].SequenceEqual("ustar"u8) ? TarCompression.None : null;
    }

    /// <summary>GNU tar's option for the compression, or null for a plain tar.</summary>
    public static string? TarFlag(TarCompression c) => c switch
    {
        TarCompression.Gzip => "-z",
        TarCompression.Xz => "-J",
        TarCompression.Zstd => "--zstd",
        TarCompression.Bzip2 => "-j",
        _ => null,
    };

    /// <summary>The command that writes the plain tar to stdout.</summary>
    public static (string File, string[] Args) Decompressor(TarCompression c, string path) => c switch
    {
        TarCompression.Gzip => ("gzip", ["-dc", "--", path]),
        TarCompression.Xz => ("xz", ["-dc", "--", path]),
        TarCompression.Zstd => ("zstd", ["-dcq", "--", path]),
        TarCompression.Bzip2 => ("bzip2", ["-dc", "--", path]),
        _ => ("cat", ["--", path]),
    };
}
