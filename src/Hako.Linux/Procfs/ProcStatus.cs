namespace Hako.Linux.Procfs;

/// <summary>Reads of /proc/PID/status; the proc root is a parameter for tests.</summary>
public static class ProcStatus
{
    /// <summary>
    /// True when the process is init of its own pid namespace: the last field of
    /// <c>NSpid:	12345	1</c> (its pid in each nested namespace, outermost first) is 1.
    /// </summary>
    public static bool IsNamespaceInit(int pid, string procRoot = "/proc")
    {
        try
        {
            foreach (var line in File.ReadLines(Path.Combine(procRoot, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "status")))
            {
                if (line.StartsWith("NSpid:", StringComparison.Ordinal))
                {
                    var fields = line[6..].Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries);
                    return fields.Length > 1 && fields[^1] == "1";
                }
            }
        }
        catch (IOException)
        {
            // Gone meanwhile.
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }
}
