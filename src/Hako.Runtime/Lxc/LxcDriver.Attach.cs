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

    /// <summary>Runs a command inside and returns its output (the API's buffered exec).</summary>
    public async Task<ProcessResult> ExecAsync(string name, IReadOnlyList<string> command, string? stdin,
        IReadOnlyDictionary<string, string>? env, TimeSpan timeout, CancellationToken ct = default)
    {
        if (command.Count == 0)
        {
            throw HakoException.Invalid("exec needs a command, e.g. [\"hostname\"]");
        }

        return await ProcessRunner.RunAsync("lxc-attach", AttachArgs(LxcPath, name, command, env), stdin ?? "", timeout, ct);
    }
}
