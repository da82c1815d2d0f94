using System.CommandLine;

namespace Hako.Cli;

/// <summary>Options every command accepts (recursive on the root).</summary>
internal sealed class GlobalOptions
{
    public Option<string?> Socket { get; } = new("--socket")
    {
        Description = "hakod's unix socket (default: $HAKO_SOCKET, else /run/hako/hako.sock; $HAKO_URL + $HAKO_TOKEN for TCP)",
        HelpName = "PATH",
        Recursive = true,
    };

    public Option<string?> Remote { get; } = new("--remote")
    {
        Description = "A remote hakod added with `hako remote add` (default: $HAKO_REMOTE)",
        HelpName = "NAME",
        Recursive = true,
    };

    public Option<bool> Json { get; } = new("--json")
    {
        Description = "Print the API's JSON answer on stdout instead of text",
        Recursive = true,
    };

    public Option<bool> Quiet { get; } = new("--quiet", "-q")
    {
        Description = "Print nothing on success (errors still go to stderr)",
        Recursive = true,
    };

    public void AddTo(Command root)
    {
        root.Options.Add(Socket);
        root.Options.Add(Remote);
        root.Options.Add(Json);
        root.Options.Add(Quiet);
    }
}
