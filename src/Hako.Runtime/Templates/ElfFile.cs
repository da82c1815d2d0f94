using System.Buffers.Binary;

namespace Hako.Runtime.Templates;

/// <summary>Just enough ELF reading to tell a static binary from a dynamic one (no `file`, no `ldd`).</summary>
internal static class ElfFile
{
    private const uint PtInterp = 3;

    /// <summary>
    /// True when the program headers contain PT_INTERP (it needs ld.so and shared libraries),
    /// false when static, null when the file is not ELF.
    /// </summary>
    public static bool? IsDynamic(string path)
    {
        using var f = File.OpenRead(path);
        Span<byte> h = stackalloc byte[64];
        if (f.ReadAtLeast(h, 64, throwOnEndOfStream: false) < 52 || h[0] != 0x7F || h[1] != 'E' || h[2] != 'L' || h[3] != 'F')
        {
            return null;
        }

        var is64 = h[4] == 2;
        var le = h[5] == 1;
        ulong U(ReadOnlySpan<byte> s, int size) => size switch
        {
            2 => le ? BinaryPrimitives.ReadUInt16LittleEndian(s) : BinaryPrimitives.ReadUInt16BigEndian(s),
            4 => le ? BinaryPrimitives.ReadUInt32LittleEndian(s) : BinaryPrimitives.ReadUInt32BigEndian(s),
            _ => le ? BinaryPrimitives.ReadUInt64LittleEndian(s) : BinaryPrimitives.ReadUInt64BigEndian(s),
        };

        // e_phoff, e_phentsize, e_phnum (elf.h Elf64_Ehdr / Elf32_Ehdr).
        var phoff = is64 ? U(h[0x20..], 8) : U(h[0x1C..], 4);
        var phentsize = (int)(is64 ? U(h[0x36..], 2) : U(h[0x2A..], 2));
        var phnum = (int)(is64 ? U(h[0x38..], 2) : U(h[0x2C..], 2));
        if (phentsize < 4)
        {
            return null;
        }

        var table = new byte[phentsize * phnum];
        f.Position = (long)phoff;
        f.ReadExactly(table);
        for (var i = 0; i < phnum; i++)
        {
            if (U(table.AsSpan(i * phentsize), 4) == PtInterp)
            {
                return true;
            }
        }

        return false;
    }
}
