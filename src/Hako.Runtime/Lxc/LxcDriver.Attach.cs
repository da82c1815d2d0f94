using System.Diagnostics;
using Hako.Contracts;
using Hako.Core.Errors;
using Hako.Linux.Processes;

namespace Hako.Runtime.Lxc;

public sealed partial class LxcDriver
{
    /// <summary>The lxc-attach argument list for a command inside the container, with a clean environment.</summary>
    public static List<string> AttachArgs(string lxcPath, string name, IEnumerable<string> command,
        IReadOnlyDictionary<string, string>? env = null)
    {
        var args = new List<string> { "-P", lxcPath, "-n", name, "--clear-env" };
        foreach (var kv in AttachEnvironment)
        {
            args.Add("--set-var");
            args.Add(kv);
        }

        foreach (var (k, v) in env ?? new Dictionary<string, string>())
        {
            args.Add("--set-var");
            args.Add($"{k}={v}");
        }

        args.Add("--");
        args.AddRange(command);
        return args;
    }

    /// <summary>
    /// Runs a command inside and returns its output, held within <paramref name="limit"/> (default
    /// <see cref="OutputLimit.Guest"/>: whatever runs inside is the tenant's). Past the time or output limit
    /// the command is killed and <see cref="ProcessLimitException"/> says which.
    /// </summary>
    public async Task<ProcessResult> ExecAsync(string name, IReadOnlyList<string> command, string? stdin,
        IReadOnlyDictionary<string, string>? env, TimeSpan timeout, CancellationToken ct = default, OutputLimit? limit = null)
    {
        CheckCommand(command, env);
        return await ProcessRunner.RunAsync("lxc-attach", AttachArgs(LxcPath, name, command, env), stdin ?? "", timeout, ct, limit ?? OutputLimit.Guest);
    }

    /// <summary>The lxc-attach process for a streamed exec (ProcessStreamer runs it).</summary>
    public ProcessStartInfo AttachStartInfo(string name, IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? env)
    {
        CheckCommand(command, env);
        // Through ProcessRunner.StartInfo: the command inside gets the usual umask 022, not hakod's own 077.
        return ProcessRunner.StartInfo("lxc-attach", AttachArgs(LxcPath, name, command, env));
    }

    private static void CheckCommand(IReadOnlyList<string> command, IReadOnlyDictionary<string, string>? env)
    {
        if (command.Count == 0)
        {
            throw HakoException.Invalid("exec needs a command, e.g. [\"hostname\"]");
        }

        if (command.Any(a => a.Contains('\0', StringComparison.Ordinal)))
        {
            throw HakoException.Invalid("exec arguments cannot contain NUL characters");
        }

        foreach (var k in env?.Keys ?? [])
        {
            if (k.Length == 0 || k.Length > 255 || !k.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') || char.IsAsciiDigit(k[0]))
            {
                throw HakoException.Invalid($"Environment variable name '{Core.Validation.Names.Printable(k)}' is invalid; use letters, digits and '_', not starting with a digit");
            }
        }

        if (env?.Values.Any(v => v.Contains('\0', StringComparison.Ordinal)) == true)
        {
            throw HakoException.Invalid("Environment variable values cannot contain NUL characters");
        }
    }
}
