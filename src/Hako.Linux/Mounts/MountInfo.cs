namespace Hako.Linux.Mounts;

public sealed record MountEntry(string MountPoint, string FsType, string Source);

/// <summary>Parser for /proc/self/mountinfo (proc(5)). The path is a parameter for tests.</summary>
public static class MountInfo
{
    /// <summary>
    /// Parses lines such as
    /// <c>36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue</c>:
    /// field 5 is the mount point, and after the " - " separator come the fs type and the source.
    /// </summary>
    public static IReadOnlyList<MountEntry> Read(string path = "/proc/self/mountinfo")
    {
        var list = new List<MountEntry>();
        foreach (var line in File.ReadLines(path))
        {
            var sep = line.IndexOf(" - ", StringComparison.Ordinal);
            if (sep < 0)
            {
                continue;
            }

            var left = line[..sep].Split(' ');
            var right = line[(sep + 3)..].Split(' ');
            if (left.Length < 5 || right.Length < 2)
            {
                continue;
            }

            list.Add(new MountEntry(Unescape(left[4]), right[0], Unescape(right[1])));
        }

        return list;
    }

    /// <summary>mountinfo escapes space, tab, newline and backslash as \ooo octal.</summary>
    private static string Unescape(string s)
    {
        if (!s.Contains('\\', StringComparison.Ordinal))
        {
            return s;
        }

        var sb = new System.Text.StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && IsOctal(s, i + 1))
            {
                sb.Append((char)Convert.ToInt32(s.Substring(i + 1, 3), 8));
                i += 3;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }

    private static bool IsOctal(string s, int at) =>
        at + 3 <= s.Length && s[at] is >= '0' and <= '7' && s[at + 1] is >= '0' and <= '7' && s[at + 2] is >= '0' and <= '7';
}
